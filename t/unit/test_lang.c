/*
 * test_lang.c - unit tests for lang.c: choosing a language by
 * Accept-Language (RFC 9110 §12.5.4) and the built-in texts.  Prints TAP;
 * run through t/unit/lang.t.
 */
#include "core/core.h"
#include "tap.h"

static const char *const en_nl[] = { "en", "nl" };

static const char *pick(const char *header)
{
    int i = mto_lang_choose(header, en_nl, 2);
    return i < 0 ? "none" : en_nl[i];
}

static void test_choose(void)
{
    static const char *const more[] = { "en", "nl", "nl-be", "de" };

    is_str(pick(NULL), "none", "no header: no choice (the caller serves English)");
    is_str(pick(""), "none", "an empty header accepts nothing the server has");
    is_str(pick("nl"), "nl", "nl gives Dutch");
    is_str(pick("NL"), "nl", "tags compare without case");
    is_str(pick("nl-NL"), "nl", "nl-NL matches nl");
    is_str(pick("nl-NL;q=0.9,en;q=0.8"), "nl", "the higher q wins");
    is_str(pick("en;q=0.1,nl;q=0.5"), "nl", "the higher q wins whatever the order");
    is_str(pick("fr"), "none", "a language the server lacks is not chosen");
    is_str(pick("fr, nl;q=0.2"), "nl", "the best language the server has");
    is_str(pick("nl, en"), "nl", "equal q: the one listed first");
    is_str(pick("en, nl"), "en", "equal q: the one listed first (the other way)");
    is_str(pick("*"), "en", "* accepts any: the server's first");
    is_str(pick("nl;q=0, *"), "en", "q=0 excludes a language * would accept");
    is_str(pick("nl;q=0"), "none", "q=0 alone excludes");
    is_str(pick("en;q=0,*;q=0.1"), "nl", "* gives the languages not named");
    is_str(pick("nl-NL;q=0, nl"), "nl", "a more specific q=0 does not exclude the plain tag");
    is_str(pick("nl;q=2, en;q=0.3"), "en", "a malformed q ignores its element");
    is_str(pick("nl;Q=0.700 , en;q=0.69"), "nl", "Q in capitals, three decimals, spaces");
    is_str(pick("  ,, nl ,"), "nl", "empty elements are skipped");
    is_str(pick("n"), "none", "a prefix that is not a whole subtag does not match");
    is_str(pick("nlx"), "none", "a longer primary subtag does not match");
    ok(mto_lang_choose("nl-BE", more, 4) == 2, "the exact tag beats its primary subtag");
    ok(mto_lang_choose("nl", more, 4) == 1, "a plain range prefers the equal tag");
    ok(mto_lang_choose("de;q=0.5, nl-be;q=0.4", more, 4) == 3, "a configured language");
}

static void test_texts(void)
{
    is_str(mto_texts("nl")->lang, "nl", "Dutch texts for nl");
    is_str(mto_texts("nl-BE")->lang, "nl", "Dutch texts for nl-BE");
    is_str(mto_texts("nlx")->lang, "en", "not for nlx");
    is_str(mto_texts("de")->lang, "en", "English for others");
    is_str(mto_texts(NULL)->lang, "en", "English for none");
    is_str(mto_builtin_scope_text_nl("profile_write"), "abonnementen van de gebruiker bewerken",
           "a built-in scope in Dutch");
    ok(mto_builtin_scope_text_nl("custom") == NULL, "no Dutch text for other scopes");
}

int main(void)
{
    test_choose();
    test_texts();
    return done_testing();
}
