/*
 * What every fuzz target provides and what runs it: libFuzzer's main
 * (./configure CC=clang --enable-fuzzing, with fuzz/libfuzzer.c) or our
 * own (fuzz/driver.c) otherwise.  FUZZ_TARGET names the target and its
 * seed folder fuzz/corpus/<target>; FUZZ_SRCDIR is the source tree.
 */
#ifndef WSCHANNEL_FUZZ_H
#define WSCHANNEL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
