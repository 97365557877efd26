// What ECDSA set-ups made ahead save a P-256 signature, for BENCHMARKS.md ("Issue 14", session
// 35): CPU per operation of OpenSSL alone, one thread, the calls `Sources/OpenSSL` makes.
//
//   cc -O2 -o ecdsa_setup ecdsa_setup.c -lcrypto
//   ./ecdsa_setup [COUNT]
//
// `whole`: EVP_DigestSign through a copied, prepared context (SigningContext's usual path).
// `set-up`: ECDSA_sign_setup alone (the random nonce k, k^-1 and r = (k*G).x): what
// ECDSASetupPool's refiller makes on an idle core. `from a set-up`: the hash and
// ECDSA_do_sign_ex with one set-up, R||S out: what a request still pays.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 20000;
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    EC_KEY *key = EVP_PKEY_get1_EC_KEY(pkey);
    EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MD_CTX *template = EVP_MD_CTX_new();
    if (!pkey || !key || !sha256 || !template || EVP_DigestSignInit_ex(template, NULL, "SHA256", NULL, NULL, pkey, NULL) != 1) return 1;
    unsigned char message[300];
    memset(message, 'a', sizeof message);  // about a cache-hit token's signing input
    BIGNUM **kinv = calloc(count, sizeof *kinv), **r = calloc(count, sizeof *r);

    double start = cpu_seconds();
    for (int i = 0; i < count; i++) {
        unsigned char der[80];
        size_t length = sizeof der;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (EVP_MD_CTX_copy_ex(ctx, template) != 1 || EVP_DigestSign(ctx, der, &length, message, sizeof message) != 1) return 2;
        EVP_MD_CTX_free(ctx);
    }
    double whole = (cpu_seconds() - start) / count * 1e6;

    start = cpu_seconds();
    for (int i = 0; i < count; i++)
        if (ECDSA_sign_setup(key, NULL, &kinv[i], &r[i]) != 1) return 3;
    double setup = (cpu_seconds() - start) / count * 1e6;

    int verified = 0;
    start = cpu_seconds();
    for (int i = 0; i < count; i++) {
        unsigned char hash[32], raw[64];
        unsigned int hashLength = 0;
        if (EVP_Digest(message, sizeof message, hash, &hashLength, sha256, NULL) != 1) return 4;
        ECDSA_SIG *signature = ECDSA_do_sign_ex(hash, (int)hashLength, kinv[i], r[i], key);
        if (!signature) return 5;
        const BIGNUM *sr, *ss;
        ECDSA_SIG_get0(signature, &sr, &ss);
        if (BN_bn2binpad(sr, raw, 32) != 32 || BN_bn2binpad(ss, raw + 32, 32) != 32) return 6;
        if (i == 0) verified = ECDSA_do_verify(hash, (int)hashLength, signature, key) == 1;
        ECDSA_SIG_free(signature);
        BN_clear_free(kinv[i]);
        BN_clear_free(r[i]);
    }
    double finish = (cpu_seconds() - start) / count * 1e6;

    printf("whole signature %.2f us, set-up %.2f us, from a set-up %.2f us (set-up + finish %.2f us), verifies: %s\n",
           whole, setup, finish, setup + finish, verified ? "yes" : "NO");
    return verified ? 0 : 7;
}
