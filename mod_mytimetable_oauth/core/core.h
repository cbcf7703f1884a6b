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

#include "core/types.h"         /* the rows: clients, codes, tokens */
#include "core/crypto.h"        /* randomness, digests (crypto.c) */
#include "core/secret.h"        /* Spring secret hashes (secret.c) */
#include "core/form.h"          /* form-urlencoded input, UTF-8 (form.c) */
#include "core/lists.h"         /* comma and scope lists (lists.c) */
#include "core/proto.h"         /* Basic credentials, scope syntax, PKCE, URLs (proto.c) */
#include "core/bearer.h"        /* RFC 6750 credentials (bearer.c) */
#include "core/cache_entry.h"   /* rows as the cache keeps them (cache_entry.c) */
#include "core/template.h"      /* the consent page template (template.c) */

/* ---------------------------------------------------------------- purge rules */

/* What has expired and may be deleted (README "Admin tool reference" purge), as SQL conditions
 * whose one parameter is the current time.  The module's own purge
 * (store.c) and the admin tool's `purge` both use them, so that the two
 * always remove the same rows.  expires_at = 0 never expires.  A used code
 * stays until it expires (a replay must still revoke what it gave), and so
 * does a rotated refresh token (its reuse must still be detected). */
#define MTO_PURGE_CODE_EXPIRED     "expires_at < %lld"
#define MTO_PURGE_ACCESS_EXPIRED   "expires_at <> 0 AND expires_at < %lld"
#define MTO_PURGE_REFRESH_EXPIRED  "expires_at <> 0 AND expires_at < %lld"
#define MTO_PURGE_APPROVAL_EXPIRED "expires_at < %lld"

#endif /* MTO_H */
