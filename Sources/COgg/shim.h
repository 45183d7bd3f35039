#ifndef COMMUNIS_COGG_SHIM_H
#define COMMUNIS_COGG_SHIM_H
#include <ogg/ogg.h>
#endif
