# mqgw_api: the management API (JSON over HTTP, signed requests) behind the admin listener.
# Included from core/CMakeLists.txt; paths are relative to this file. It compiles against
# registry.h only: whoever links mqgw_api also links the Registry's implementation
# (mqgw_resources); the unit tests use an in-test fake.
add_library(mqgw_api STATIC
  ${CMAKE_CURRENT_LIST_DIR}/actions_access.cc
  ${CMAKE_CURRENT_LIST_DIR}/actions_instances.cc
  ${CMAKE_CURRENT_LIST_DIR}/actions_runtime.cc
  ${CMAKE_CURRENT_LIST_DIR}/actions_topics_groups.cc
  ${CMAKE_CURRENT_LIST_DIR}/dispatcher.cc
  ${CMAKE_CURRENT_LIST_DIR}/params.cc
  ${CMAKE_CURRENT_LIST_DIR}/render.cc
  ${CMAKE_CURRENT_LIST_DIR}/request_auth.cc
)
target_include_directories(mqgw_api PUBLIC ${PROJECT_SOURCE_DIR}/core ${PROJECT_SOURCE_DIR}/core/include)
target_link_libraries(mqgw_api PUBLIC
  nlohmann_json::nlohmann_json mqgw_crypto http_parser PkgConfig::LIBUV)

if(MQGW_TESTS)
  set(MQGW_API_TEST_DIR ${PROJECT_SOURCE_DIR}/tests/unit/api)
  mqgw_add_unit_test(api_test
    SOURCES
      ${MQGW_API_TEST_DIR}/request_auth_test.cc
      ${MQGW_API_TEST_DIR}/dispatcher_instances_test.cc
      ${MQGW_API_TEST_DIR}/dispatcher_access_test.cc
      ${MQGW_API_TEST_DIR}/dispatcher_runtime_test.cc
      ${MQGW_API_TEST_DIR}/admin_server_test.cc
    LIBS mqgw_core mqgw_api)
  mqgw_add_fuzz_target(api_dispatch
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz/dispatch_fuzz.cc
    LIBS mqgw_api
    CORPUS ${CMAKE_CURRENT_LIST_DIR}/fuzz/dispatch_corpus)
  if(MQGW_FUZZ)  # coverage and sanitizers in the library itself, not only in the harness
    target_compile_options(mqgw_api PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(mqgw_api INTERFACE -fsanitize=address,undefined)
  endif()
  foreach(_api_fuzz_target api_dispatch_replay api_dispatch_fuzzer)
    if(TARGET ${_api_fuzz_target})  # the fuzzer exists with MQGW_FUZZ only
      target_include_directories(${_api_fuzz_target} PRIVATE ${MQGW_API_TEST_DIR})
    endif()
  endforeach()
endif()
