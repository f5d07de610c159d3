# mqgw_topic_tree: MQTT topic syntax rules and the per-worker topic tree (core/router).
# Included from core/CMakeLists.txt; paths are relative to this file.
add_library(mqgw_topic_tree STATIC ${CMAKE_CURRENT_LIST_DIR}/topic_rules.cc)
target_include_directories(mqgw_topic_tree PUBLIC ${PROJECT_SOURCE_DIR}/core)

if(MQGW_TESTS)
  set(_mqgw_router_tests ${PROJECT_SOURCE_DIR}/tests/unit/router)
  mqgw_add_unit_test(topic_tree_test
    SOURCES ${_mqgw_router_tests}/topic_rules_test.cc
            ${_mqgw_router_tests}/topic_tree_test.cc
            ${_mqgw_router_tests}/topic_tree_property_test.cc
    LIBS mqgw_topic_tree)
  # Its own binary: it replaces the global operator new to count allocations.
  mqgw_add_unit_test(topic_tree_alloc_test
    SOURCES ${_mqgw_router_tests}/topic_tree_alloc_test.cc
    LIBS mqgw_topic_tree)
endif()
