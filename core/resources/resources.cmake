# mqgw_crypto: digests and random identifiers on mbedTLS (crypto.h), shared with mqgwctl.
# mqgw_resources: the console's resources, their rules and their SQLite store (registry.h).
# Included from core/CMakeLists.txt; paths are relative to this file.
find_path(MQGW_MBEDTLS_INCLUDE_DIR mbedtls/md.h REQUIRED)
find_library(MQGW_MBEDCRYPTO_LIBRARY mbedcrypto REQUIRED)
add_library(mqgw_crypto STATIC ${CMAKE_CURRENT_LIST_DIR}/crypto.cc)
target_include_directories(mqgw_crypto PUBLIC ${PROJECT_SOURCE_DIR}/core ${MQGW_MBEDTLS_INCLUDE_DIR})
target_link_libraries(mqgw_crypto PUBLIC ${MQGW_MBEDCRYPTO_LIBRARY})

find_package(SQLite3 REQUIRED)
set(_mqgw_resources ${CMAKE_CURRENT_LIST_DIR})
add_library(mqgw_resources STATIC
  ${_mqgw_resources}/bootstrap_file.cc
  ${_mqgw_resources}/metadata_records.cc
  ${_mqgw_resources}/metadata_rows.cc
  ${_mqgw_resources}/metadata_store.cc
  ${_mqgw_resources}/registry.cc
  ${_mqgw_resources}/registry_access.cc
  ${_mqgw_resources}/registry_admission.cc
  ${_mqgw_resources}/registry_instances.cc
  ${_mqgw_resources}/registry_replication.cc
  ${_mqgw_resources}/registry_tokens.cc
  ${_mqgw_resources}/registry_topics.cc
  ${_mqgw_resources}/topic_policy.cc
)
target_include_directories(mqgw_resources PUBLIC ${PROJECT_SOURCE_DIR}/core)
target_link_libraries(mqgw_resources
  PUBLIC mqgw_crypto mqgw_topic_tree Threads::Threads
  PRIVATE SQLite::SQLite3 nlohmann_json::nlohmann_json spdlog::spdlog)

if(MQGW_TESTS)
  set(_mqgw_resources_tests ${PROJECT_SOURCE_DIR}/tests/unit/resources)
  mqgw_add_unit_test(resources_test
    SOURCES ${_mqgw_resources_tests}/topic_policy_test.cc
            ${_mqgw_resources_tests}/metadata_store_test.cc
            ${_mqgw_resources_tests}/registry_test.cc
            ${_mqgw_resources_tests}/registry_access_test.cc
            ${_mqgw_resources_tests}/admission_test.cc
            ${_mqgw_resources_tests}/persistence_test.cc
            ${_mqgw_resources_tests}/replication_test.cc
    LIBS mqgw_resources SQLite::SQLite3 nlohmann_json::nlohmann_json)
  mqgw_add_fuzz_target(console_admission
    SOURCES ${_mqgw_resources}/fuzz/admission_fuzz.cc
    LIBS mqgw_resources
    CORPUS ${_mqgw_resources}/fuzz/admission_corpus)
  if(MQGW_FUZZ)  # coverage and sanitizers in the library itself, not only in the harness
    target_compile_options(mqgw_resources PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    target_link_options(mqgw_resources INTERFACE -fsanitize=address,undefined)
  endif()
endif()
