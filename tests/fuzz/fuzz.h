/* fuzz.h — shared by the libFuzzer targets in tests/fuzz/. */
#ifndef SCELLE_FUZZ_H
#define SCELLE_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* Inputs above this are skipped: the parsers cap their inputs far higher, but a fuzzer
 * learns nothing from megabytes, and each run must stay fast. */
#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
#endif
