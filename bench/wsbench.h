/*
 * What the rows of wsbench share: the block clock, the samples of a
 * block, the interleaving of a figure with its floor, and the row itself.
 * wsbench.c has the rows over net.tcp and the daemon's calls,
 * wsbench_bindings.c those over soap.udp and HTTP.
 */
#ifndef WSBENCH_H
#define WSBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SECONDS	0.25		/* one block of a figure or floor */
#define MSG_SIZE	256		/* the message body of the exchanges */

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
};

uint64_t now_ns(void);
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

#endif
