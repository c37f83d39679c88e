/* Registers every binding this build knows with the core's registry. */
#ifndef WSCHANNEL_TRANSPORT_BUILTIN_H
#define WSCHANNEL_TRANSPORT_BUILTIN_H

void	transport_register_builtin(void);
/* What the transports left for a later loop pass (the resets of aborted
 * net.tcp connections), done now: the daemon's exit. */
void	transport_builtin_finish(void);

#endif
