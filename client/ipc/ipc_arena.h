/* Arenas for decoding Replies (see ipc_arena.c). */
#ifndef WSCHANNEL_IPC_ARENA_H
#define WSCHANNEL_IPC_ARENA_H

#include "ipc.h"

/* protobuf-c allocators: allocator_data is the struct ipc_arena. */
void	*ipc_arena_alloc(void *arena, size_t);
void	 ipc_arena_free(void *arena, void *);
/* Frees the chunks; the arena is empty again (chunks_only is kept). */
void	 ipc_arena_reset(struct ipc_arena *);
/* Frees chunks taken out of an arena. */
void	 ipc_arena_chunks_free(struct ipc_arena_chunk *);
/*
 * The static arena, for one decoder at a time: `a` (only its counters are
 * used) and `alloc` are set up for it until ipc_arena_emergency_end.
 */
void	 ipc_arena_emergency_begin(struct ipc_arena *a, ProtobufCAllocator *);
void	 ipc_arena_emergency_end(void);

#endif
