# mqgw_config: the YAML config loader and plugin-section validator (core/config/config.h).
# Included from core/CMakeLists.txt; paths are relative to this file.
add_library(mqgw_config STATIC
  ${CMAKE_CURRENT_LIST_DIR}/units.cc
  ${CMAKE_CURRENT_LIST_DIR}/yaml_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/limits.cc
  ${CMAKE_CURRENT_LIST_DIR}/listeners.cc
  ${CMAKE_CURRENT_LIST_DIR}/loader.cc
  ${CMAKE_CURRENT_LIST_DIR}/section.cc
  ${CMAKE_CURRENT_LIST_DIR}/authorization.cc
  ${CMAKE_CURRENT_LIST_DIR}/tenancy.cc)
target_include_directories(mqgw_config PUBLIC ${PROJECT_SOURCE_DIR}/core/include ${PROJECT_SOURCE_DIR}/core)
# mqgw_topic_tree for the topic filter syntax (authorization rules).
target_link_libraries(mqgw_config PUBLIC yaml-cpp mqgw_topic_tree)

if(MQGW_TESTS)
  set(_mqgw_config_tests ${PROJECT_SOURCE_DIR}/tests/unit/config)
  mqgw_add_unit_test(config_test
    SOURCES ${_mqgw_config_tests}/units_test.cc
            ${_mqgw_config_tests}/load_test.cc
            ${_mqgw_config_tests}/load_errors_test.cc
            ${_mqgw_config_tests}/section_test.cc
            ${_mqgw_config_tests}/authorization_test.cc
            ${_mqgw_config_tests}/tenancy_test.cc
    LIBS mqgw_config)
  target_compile_definitions(config_test PRIVATE
    MQGW_CONFIG_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data/config")
  mqgw_add_fuzz_target(config_yaml
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz/config_yaml_fuzz.cc
    LIBS mqgw_config
    CORPUS ${PROJECT_SOURCE_DIR}/tests/fuzz/config_corpus)
endif()
