# fuzz_smoke: the normal suite runs every harness over its seed corpus for a
# couple of seconds (scripts/fuzz.sh --smoke), so that a parser regression is
# caught without a long run. Builds the harnesses with clang in its own
# directory; skipped (exit 77, saying why) where clang or libFuzzer is missing.
add_test(NAME fuzz_smoke COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fuzz.sh --smoke)
set_tests_properties(fuzz_smoke PROPERTIES
  ENVIRONMENT "FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz-smoke"
  SKIP_RETURN_CODE 77 TIMEOUT 1200 LABELS fuzz)
