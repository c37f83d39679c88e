/* Registers every binding this build knows with the core's registry. */
#ifndef WSCHANNEL_TRANSPORT_BUILTIN_H
#define WSCHANNEL_TRANSPORT_BUILTIN_H

void	transport_register_builtin(void);

#endif
