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
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

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

#endif /* PATGATE_CLIBCRYPTO_SHIM_H */
