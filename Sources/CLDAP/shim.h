#ifndef COMMUNIS_CLDAP_SHIM_H
#define COMMUNIS_CLDAP_SHIM_H
#define LDAP_DEPRECATED 0
#include <ldap.h>
#include <lber.h>
#include <stddef.h>
#include <sys/time.h>

/* ldap_set_option takes a `const void *` whose meaning depends on the option, and some of the
   values are macros Swift cannot import (LDAP_OPT_OFF, LDAP_SASL_SIMPLE): these wrappers give
   each kind of option one typed call. */

static inline int cldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

static inline int cldap_set_string(LDAP *ld, int option, const char *value) {
    return ldap_set_option(ld, option, value);
}

static inline int cldap_set_seconds(LDAP *ld, int option, long seconds) {
    struct timeval tv = { seconds, 0 };
    return ldap_set_option(ld, option, &tv);
}

static inline int cldap_set_off(LDAP *ld, int option) {
    return ldap_set_option(ld, option, LDAP_OPT_OFF);
}

static inline int cldap_set_on(LDAP *ld, int option) {
    return ldap_set_option(ld, option, LDAP_OPT_ON);
}

/* The handle's last result code (0 when unknown). */
static inline int cldap_result_code(LDAP *ld) {
    int code = 0;
    if (ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code) != LDAP_OPT_SUCCESS) return 0;
    return code;
}

/* The handle's last diagnostic message, or NULL; free it with ldap_memfree. */
static inline char *cldap_diagnostic_message(LDAP *ld) {
    char *message = NULL;
    if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) != LDAP_OPT_SUCCESS) return NULL;
    return message;
}

/* A simple bind. The password is a counted string, so it may contain any byte. */
static inline int cldap_simple_bind(LDAP *ld, const char *dn, const char *password, size_t length) {
    struct berval credentials;
    credentials.bv_len = (ber_len_t)length;
    credentials.bv_val = (char *)password;
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

/* A synchronous search whose client-side wait (and the time limit sent to the server) is
   `seconds`. `*result` may be set even when the search fails: free it with ldap_msgfree. */
static inline int cldap_search(LDAP *ld, const char *base, int scope, const char *filter, char **attributes,
                               LDAPControl **serverControls, long seconds, int sizeLimit, LDAPMessage **result) {
    struct timeval tv = { seconds, 0 };
    return ldap_search_ext_s(ld, base, scope, filter, attributes, 0, serverControls, NULL, &tv, sizeLimit, result);
}

/* The paged-results cookie of a search result (RFC 2696): 1 and `*cookie` set (free
   cookie->bv_val with ber_memfree) when the directory sent one, 0 when it sent none, a
   negative libldap code when the result cannot be parsed. */
static inline int cldap_page_cookie(LDAP *ld, LDAPMessage *result, struct berval *cookie) {
    LDAPControl **controls = NULL;
    int code = 0;
    int rc = ldap_parse_result(ld, result, &code, NULL, NULL, NULL, &controls, 0);
    if (rc != LDAP_SUCCESS) return rc < 0 ? rc : -rc;
    LDAPControl *control = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls, NULL);
    if (control == NULL) {
        ldap_controls_free(controls);
        return 0;
    }
    ber_int_t estimate = 0;
    rc = ldap_parse_pageresponse_control(ld, control, &estimate, cookie);
    ldap_controls_free(controls);
    if (rc != LDAP_SUCCESS) return rc < 0 ? rc : -rc;
    return 1;
}

#endif
