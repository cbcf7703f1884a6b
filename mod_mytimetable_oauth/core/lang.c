/*
 * lang.c - Accept-Language (RFC 9110 §12.5.4, matching as RFC 4647 §3.3.1
 * basic filtering, both ways) and the built-in English and Dutch texts.
 */
#include "core/lang.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MTO_LANG_MAX 64 /* a longer range matches nothing the server has */

/* How well a range matches a tag: 3 equal, 2 the tag is more specific,
 * 1 the range is, 0 "*", -1 no match. */
static int mto_lang_match(const char *range, size_t rlen, const char *tag)
{
    size_t tlen = strlen(tag);

    if (rlen == 1 && *range == '*') {
        return 0;
    }
    if (rlen == tlen && !strncasecmp(range, tag, tlen)) {
        return 3;
    }
    if (rlen < tlen && !strncasecmp(range, tag, rlen) && tag[rlen] == '-') {
        return 2;
    }
    if (tlen < rlen && !strncasecmp(range, tag, tlen) && range[tlen] == '-') {
        return 1;
    }
    return -1;
}

/* The q of one element's parameters (";q=0.5"), in thousandths; -1 when
 * it is malformed (the element is then ignored). */
static int mto_lang_q(const char *p, const char *end)
{
    int q = 1000, digits = 0;

    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ';')) {
            p++;
        }
        if (p + 1 < end && (*p == 'q' || *p == 'Q') && p[1] == '=') {
            p += 2;
            if (p >= end || (*p != '0' && *p != '1')) {
                return -1;
            }
            q = (*p++ - '0') * 1000;
            if (p < end && *p == '.') {
                int scale = 100;
                for (p++; p < end && *p >= '0' && *p <= '9' && digits < 3; p++, digits++) {
                    q += (*p - '0') * scale;
                    scale /= 10;
                }
            }
            return q > 1000 ? -1 : q;
        }
        while (p < end && *p != ';') {
            p++; /* another parameter: not for us */
        }
    }
    return q;
}

int mto_lang_choose(const char *header, const char *const *available, int n)
{
    int best = -1, best_q = 0, best_pos = 0, best_level = 0, i;

    if (!header) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        const char *p = header;
        int level = -1, q = 0, pos = 0, k;

        /* The most specific range that matches decides this tag's q. */
        for (k = 0; *p; k++) {
            const char *e = p + strcspn(p, ","), *r = p, *re;
            int l, rq;

            while (r < e && (*r == ' ' || *r == '\t')) {
                r++;
            }
            re = r + strcspn(r, ";, \t");
            if (re > e) {
                re = e;
            }
            l = re > r && re - r < MTO_LANG_MAX ? mto_lang_match(r, (size_t)(re - r), available[i])
                                                : -1;
            rq = mto_lang_q(re, e);
            if (l >= 0 && rq >= 0 && (l > level || (l == level && rq > q))) {
                level = l;
                q = rq;
                pos = k;
            }
            p = *e ? e + 1 : e;
        }
        if (level >= 0 && q > 0
            && (best < 0 || q > best_q || (q == best_q && pos < best_pos)
                || (q == best_q && pos == best_pos && level > best_level))) {
            best = i;
            best_q = q;
            best_pos = pos;
            best_level = level;
        }
    }
    return best;
}

static const mto_texts_t mto_texts_en = {
    "en",
    "Website",
    "Privacy policy",
    "Terms of service",
    "Invalid authorization request",
    "The request has no valid client_id (missing, empty or repeated).",
    "Temporarily unavailable",
    "The authorization server cannot reach its database. Please try again in a moment.",
    "Unknown application",
    "The application that sent you here is not registered.",
    "Invalid redirect URI",
    "The application asked to return to an address that is not registered for it, or gave "
    "none where one is needed.",
    "Consent form expired",
    "This consent form is no longer valid. Please start again from the application.",
    "Method not allowed",
    "This page answers GET (and POST from its own form).",
    "Server misconfigured",
    "This page is not protected by a login.",
    "This page is protected by access tokens instead of a login.",
    "Your authorized applications",
    "Signed in as",
    "These applications may use your MyTimetable data. You can revoke their access at any time; "
    "an application then has to ask you again.",
    "You have not authorized any applications.",
    "since",
    "Revoke access",
    "This page is no longer valid. Please reload it and try again.",
};

static const mto_texts_t mto_texts_nl = {
    "nl",
    "Website",
    "Privacybeleid",
    "Gebruiksvoorwaarden",
    "Ongeldig autorisatieverzoek",
    "Het verzoek bevat geen geldige client_id (ontbreekt, is leeg of staat er meer dan eens in).",
    "Tijdelijk niet beschikbaar",
    "De autorisatieserver kan zijn database niet bereiken. Probeer het over een moment opnieuw.",
    "Onbekende applicatie",
    "De applicatie die je hierheen stuurde, is niet geregistreerd.",
    "Ongeldige terugkeer-URI",
    "De applicatie vroeg om terug te keren naar een adres dat er niet voor is geregistreerd, of "
    "gaf er geen op waar dat nodig is.",
    "Toestemmingsformulier verlopen",
    "Dit toestemmingsformulier is niet meer geldig. Begin opnieuw vanuit de applicatie.",
    "Methode niet toegestaan",
    "Deze pagina beantwoordt GET (en POST vanuit haar eigen formulier).",
    "Server verkeerd ingesteld",
    "Deze pagina is niet beveiligd met een inlog.",
    "Deze pagina is beveiligd met toegangstokens in plaats van een inlog.",
    "Je gekoppelde applicaties",
    "Ingelogd als",
    "Deze applicaties hebben toegang tot je MyTimetable-gegevens. Je kunt die toegang altijd "
    "intrekken; de applicatie moet je dan opnieuw om toestemming vragen.",
    "Je hebt nog geen applicaties toegang gegeven.",
    "sinds",
    "Toegang intrekken",
    "Deze pagina is niet meer geldig. Laad haar opnieuw en probeer het nog eens.",
};

const mto_texts_t *mto_texts(const char *lang)
{
    if (lang && !strncasecmp(lang, "nl", 2) && (lang[2] == '\0' || lang[2] == '-')) {
        return &mto_texts_nl;
    }
    return &mto_texts_en;
}

static const struct {
    const char *name, *text;
} mto_scopes_nl[] = {
    { "username", "gebruikersinformatie lezen" },
    { "user_read", "gebruikersinformatie lezen, inclusief gebruikersnaam en rollen" },
    { "profile_read", "abonnementen en persoonlijk rooster van de gebruiker lezen" },
    { "profile_write", "abonnementen van de gebruiker bewerken" },
    { "alltimetables", "alle roosters lezen waartoe de gebruiker toegang heeft" },
    { "messages_read", "alle berichten lezen waartoe de gebruiker toegang heeft" },
};

const char *mto_builtin_scope_text_nl(const char *scope)
{
    size_t i;

    for (i = 0; scope && i < sizeof(mto_scopes_nl) / sizeof(mto_scopes_nl[0]); i++) {
        if (!strcmp(mto_scopes_nl[i].name, scope)) {
            return mto_scopes_nl[i].text;
        }
    }
    return NULL;
}
