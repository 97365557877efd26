/* CLibcrypto: the OpenSSL 3 libcrypto headers JOSE uses, plus `static inline`
 * wrappers for the macros and variadic APIs that Swift cannot import.
 * Only the JOSE module imports this. */
#ifndef PATGATE_CLIBCRYPTO_SHIM_H
#define PATGATE_CLIBCRYPTO_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "patgate needs OpenSSL 3.0 or later (libssl-dev)"
#endif

/* BIO_get_mem_data is a macro over BIO_ctrl. Returns the length, or <= 0. */
static inline long patgate_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/* OPENSSL_free is a macro that adds the caller's file and line. */
static inline void patgate_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

/* A passphrase callback that always refuses, so that an encrypted PEM fails
 * instead of prompting on the terminal. */
static inline int patgate_refuse_passphrase(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

/* ERR_GET_LIB / ERR_GET_REASON are (inline) macros in some versions. */
static inline int patgate_ERR_GET_REASON(unsigned long code) {
    return ERR_GET_REASON(code);
}

/* Sets an EVP_MAC_CTX's "digest" parameter (e.g. "SHA256" for HMAC). An OSSL_PARAM
 * keeps pointers to its key and value, so the array is built here, where both
 * strings outlive the call, rather than from Swift's temporary C strings. */
static inline int patgate_EVP_MAC_CTX_set_digest(EVP_MAC_CTX *ctx, const char *digest) {
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_CTX_set_params(ctx, params);
}

/* X.509 (JOSE/X509). A certificate extension from its OpenSSL config text ("critical,CA:FALSE",
 * "hash", "keyid:always"), with `issuer`/`subject` as context for the key identifiers, added
 * to `cert`. Only constant texts are passed: nothing a client sends reaches this parser.
 * Returns 1 on success. */
static inline int patgate_X509_add_conf_extension(X509 *cert, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
    if (extension == NULL) return 0;
    int ok = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    return ok == 1 ? 1 : 0;
}

/* Adds a subjectAltName holding one uniformResourceIdentifier. Built from GENERAL_NAME values,
 * not config text, so the URI's bytes cannot add other names. The sk_* helpers are macros.
 * Returns 1 on success. */
static inline int patgate_X509_add_uri_san(X509 *cert, const unsigned char *uri, int length) {
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    if (names == NULL) return 0;
    GENERAL_NAME *name = GENERAL_NAME_new();
    ASN1_IA5STRING *text = ASN1_IA5STRING_new();
    if (name == NULL || text == NULL || ASN1_STRING_set(text, uri, length) != 1) {
        GENERAL_NAME_free(name);
        ASN1_IA5STRING_free(text);
        GENERAL_NAMES_free(names);
        return 0;
    }
    GENERAL_NAME_set0_value(name, GEN_URI, text);
    if (sk_GENERAL_NAME_push(names, name) <= 0) {
        GENERAL_NAME_free(name);
        GENERAL_NAMES_free(names);
        return 0;
    }
    int ok = X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_APPEND);
    GENERAL_NAMES_free(names);
    return ok == 1 ? 1 : 0;
}

/* ECDSA signature set-ups computed ahead of the message (Sources/OpenSSL/ECDSASetupPool.swift).
 * OpenSSL 3 deprecates these EC_KEY functions and has no EVP equivalent of ECDSA_sign_setup;
 * they are kept in 3.x, so they are wrapped here, their warnings silenced in one place. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
/* The key's EC_KEY (a reference the caller frees with patgate_EC_KEY_free), or NULL. */
static inline EC_KEY *patgate_EVP_PKEY_get1_EC_KEY(EVP_PKEY *pkey) {
    return EVP_PKEY_get1_EC_KEY(pkey);
}

static inline void patgate_EC_KEY_free(EC_KEY *key) {
    EC_KEY_free(key);
}

/* A fresh random nonce k of `key`'s group, as `out` = k^-1 mod n || r = (k*G).x mod n, each
 * `size` bytes big-endian. The BIGNUMs are made and freed here, on the caller's thread: another
 * thread that frees memory a thread allocated takes that thread's malloc arena lock. Returns 1
 * on success. */
static inline int patgate_ECDSA_sign_setup_bytes(EC_KEY *key, unsigned char *out, int size) {
    BIGNUM *kinv = NULL, *r = NULL;
    int ok = ECDSA_sign_setup(key, NULL, &kinv, &r) == 1
        && BN_bn2binpad(kinv, out, size) == size && BN_bn2binpad(r, out + size, size) == size;
    BN_clear_free(kinv);
    BN_clear_free(r);
    return ok ? 1 : 0;
}

/* Signs `digest` with a set-up from patgate_ECDSA_sign_setup_bytes (2 * `size` bytes) and
 * writes R||S (each `size` bytes, big-endian) to `out`. Returns 1 on success. */
static inline int patgate_ECDSA_sign_with_setup_bytes(EC_KEY *key, const unsigned char *digest, int digestLength,
                                                      const unsigned char *setup, int size, unsigned char *out) {
    BIGNUM *kinv = BN_bin2bn(setup, size, NULL), *r = BN_bin2bn(setup + size, size, NULL);
    ECDSA_SIG *signature = kinv != NULL && r != NULL ? ECDSA_do_sign_ex(digest, digestLength, kinv, r, key) : NULL;
    int ok = 0;
    if (signature != NULL) {
        const BIGNUM *sr = NULL, *ss = NULL;
        ECDSA_SIG_get0(signature, &sr, &ss);
        ok = BN_bn2binpad(sr, out, size) == size && BN_bn2binpad(ss, out + size, size) == size;
        ECDSA_SIG_free(signature);
    }
    BN_clear_free(kinv);
    BN_clear_free(r);
    return ok ? 1 : 0;
}
#pragma GCC diagnostic pop

#endif /* PATGATE_CLIBCRYPTO_SHIM_H */
