/*
 * lang.h - the language of a page (lang.c): Accept-Language (RFC 9110
 * §12.5.4) against the languages the server has, and the built-in texts
 * of the pages in English and Dutch.
 */
#ifndef MTO_CORE_LANG_H
#define MTO_CORE_LANG_H

/* The index in available[0..n-1] (language tags, any case) of the best
 * language for the Accept-Language header: the highest q (ties: the range
 * listed first, then the closer match); a range matches a tag equal to it,
 * starting with it and "-", or that it starts with followed by "-"
 * ("nl-NL" matches "nl"); "*" matches every tag no other range names;
 * q=0 excludes.  -1 when the header is NULL or accepts none of them. */
int mto_lang_choose(const char *header, const char *const *available, int n);

/* Built-in texts of one language. */
typedef struct {
    const char *lang;
    const char *link_website, *link_privacy, *link_terms;
    const char *bad_request_title, *bad_request_text; /* no valid client_id */
    const char *unavailable_title, *unavailable_text; /* the database failed */
    const char *unknown_client_title, *unknown_client_text;
    const char *bad_redirect_title, *bad_redirect_text;
    const char *form_expired_title, *form_expired_text; /* CSRF token refused */
    const char *method_title, *method_text;
    const char *misconfigured_title, *no_login_text, *gate_login_text;
    /* The account page: its title, "Signed in as", the list's introduction,
     * an empty list, "since" before a date, the button, the refused form. */
    const char *account_title, *account_signed_in, *account_intro, *account_none;
    const char *account_since, *account_revoke, *account_expired_text;
} mto_texts_t;

/* The texts of lang (its primary subtag decides: "nl-BE" is Dutch);
 * English for any other. */
const mto_texts_t *mto_texts(const char *lang);

/* The built-in Dutch text of one of the six built-in scopes, or NULL. */
const char *mto_builtin_scope_text_nl(const char *scope);

#endif /* MTO_CORE_LANG_H */
