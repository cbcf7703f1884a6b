/*
 * core.h - the protocol core of mod_mytimetable_oauth, all of it.
 *
 * Everything in core/ takes plain values and an apr_pool_t and knows
 * nothing of httpd: the module, the admin tool, the unit tests and the
 * fuzzers all call it directly.  One header per concern; this one includes
 * them all.
 */
#ifndef MTO_H
#define MTO_H

#include "core/types.h"       /* the rows: clients, codes, tokens */
#include "core/crypto.h"      /* randomness, digests (crypto.c) */
#include "core/secret.h"      /* Spring secret hashes (secret.c) */
#include "core/form.h"        /* form-urlencoded input, UTF-8 (form.c) */
#include "core/lists.h"       /* comma and scope lists (lists.c) */
#include "core/proto.h"       /* Basic credentials, scope syntax, PKCE, URLs (proto.c) */
#include "core/bearer.h"      /* RFC 6750 credentials (bearer.c) */
#include "core/cache_entry.h" /* rows as the cache keeps them (cache_entry.c) */
#include "core/cache_rules.h" /* database fingerprints, writes around revocations */
#include "core/template.h"    /* the consent page template (template.c) */
#include "core/throttle.h"    /* failure counts in shared slots (throttle.c) */
#include "core/client.h"      /* public clients, redirect URIs, origins (client.c) */
#include "core/lang.h"        /* Accept-Language, English and Dutch texts (lang.c) */
#include "core/stats.h"       /* the status page's counters and their text (stats.c) */

#endif /* MTO_H */
