/*
 * What the rows of wsbench share: the block clock, the samples of a
 * block, the interleaving of a figure with its floor, and the row itself.
 * wsbench.c has the rows over net.tcp and the daemon's calls,
 * wsbench_bindings.c those over soap.udp and HTTP, wsbench_scale.c the
 * scale section.
 */
#ifndef WSBENCH_H
#define WSBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BLOCK_SECONDS	0.25		/* one block of a figure or floor */
#define MSG_SIZE	256		/* the message body of the exchanges */
#define WSBENCH_CPU_MAX	64

/* Samples of one block, in microseconds. */
struct samples {
	double	*v;
	size_t	 n, cap;
};

struct row {
	const char	*key;		/* the JSON name */
	const char	*figure;
	const char	*floor_name;
	bool		 rate;		/* per second: higher is better */
	double		 target;	/* the ratio the issue asks for */
	int		(*run)(struct row *);
	/* Filled by run. */
	double		 value, floor;
	bool		 ok;
	/* The CPU the daemon was on after each block, counted, and how
	 * fast each CPU ran a fixed loop just before the row (1 = the
	 * fastest; 0 for none). */
	int		 daemon_cpu[WSBENCH_CPU_MAX];
	double		 cpu_speed[WSBENCH_CPU_MAX];
	/* Blocks after which the library's I/O thread was on the
	 * daemon's CPU too. */
	int		 io_with_daemon;
};

uint64_t now_ns(void);
void	 sleep_ns(long ns);
void	 samples_add(struct samples *, uint64_t ns);
/* The block's median, and the samples emptied for the next block. */
double	 samples_block(struct samples *);
/*
 * Runs the blocks of the floor and of the figure, alternating, and
 * returns the median of each one's block results; -1 when a block could
 * not be had.
 */
int	 interleave(double (*floor_block)(void *),
	    double (*value_block)(void *), void *arg, double *floor,
	    double *value);

int	 row_udp(struct row *);
int	 row_http(struct row *);

/* Bare-socket helpers (wsbench.c): all of len read or written, 0 or -1;
 * a child echoing `size`-byte messages on fd (closing `other`). */
int	 full_io(int fd, void *buf, size_t len, bool wr);
pid_t	 echo_process(int fd, int other, size_t size);

/* The UDP and HTTP rows' floor (wsbench_relay.c): A -unix-> relay
 * -udp/http-> relay -unix-> B, an echo, and back. */
enum relay_kind { RELAY_UDP, RELAY_HTTP };
struct relay_floor {
	int	 afd;		/* A's end */
	pid_t	 relay, echo;
};
int	 relay_floor_start(enum relay_kind, struct relay_floor *);
int	 relay_floor_round(struct relay_floor *);
void	 relay_floor_stop(struct relay_floor *);

/* A connected loopback TCP pair (wsbench.c); 0 or -1. */
int	 tcp_pair(int lfd, uint16_t port, int *c, int *s);

/* The scale section (wsbench_scale.c). */
#define SCALE_TARGET	50000	/* the size, more than this
				 * machine's descriptors allow */
struct scale {
	size_t	 channels;
	double	 kib_per_channel;
	double	 list_ms, abort_ms;
	double	 list_cpu_ms, abort_cpu_ms;	/* wsctl's and the daemon's */
	/* `wsctl list` with no channel yet: what a listing costs whatever
	 * its size (starting wsctl, one round trip); what is above it grows
	 * with the channels, which gives the figure at SCALE_TARGET. */
	double	 list0_ms;
	/* The floor of abort --all: as many loopback TCP sockets closed with
	 * a reset by this process. */
	double	 close_ms, close_cpu_ms;
	size_t	 closed;
	int	 listed;
	bool	 ok;
};

/* Channel pairs that fit the fd limit, raised as far as allowed (before
 * the daemon inherits it; WSBENCH_SCALE overrides). */
size_t	 scale_pairs(void);
void	 bench_scale(size_t pairs, struct scale *);
void	 bench_close_floor(size_t channels, struct scale *);
/* `wsctl list` at `channels`, extrapolated. */
double	 scale_list_at(const struct scale *, int channels);

#endif
