// libcurl's own cost of the gateway's upstream call, for BENCHMARKS.md ("Issue 14", session 23):
// the client CPU per request of small form POSTs on kept-alive connections, with the options
// `Sources/Curl/Transfer.swift` sets, in plain C, against a server of the caller's.
//
//   cc -O2 -o curl_client curl_client.c -lcurl -lpthread
//   ./curl_client URL CONNECTIONS SECONDS MODE
//
// MODE `threads`: one thread per connection, each a loop of curl_easy_reset, the options and
// curl_easy_perform (patgate's worker threads without their queue and hand-offs).
// MODE `multi`: one thread driving every connection's handle through curl_multi.
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *url;
static volatile int stop;
static long total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static struct curl_slist *headers;

static size_t sink(char *data, size_t size, size_t count, void *user) { return size * count; }
static int progress(void *user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) { return 0; }

static void configure(CURL *handle, char *error) {
    curl_easy_reset(handle);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_PROXY, "");
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1048576);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, sink);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_URL, url);
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, "token=pgat_AAAAAAAAAAAAAAAAAAAAAAAAAAA000000");
}

static void *worker(void *unused) {
    char error[CURL_ERROR_SIZE];
    CURL *handle = curl_easy_init();
    long done = 0;
    while (!stop) {
        configure(handle, error);
        if (curl_easy_perform(handle) == CURLE_OK) done++;
    }
    pthread_mutex_lock(&total_lock);
    total += done;
    pthread_mutex_unlock(&total_lock);
    curl_easy_cleanup(handle);
    return NULL;
}

static double now(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return time.tv_sec + time.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 5 || atoi(argv[2]) < 1 || atoi(argv[2]) > 64) {
        fprintf(stderr, "usage: curl_client URL CONNECTIONS(1-64) SECONDS threads|multi\n");
        return 2;
    }
    url = argv[1];
    int connections = atoi(argv[2]);
    double seconds = atof(argv[3]);
    int multi = strcmp(argv[4], "multi") == 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    headers = curl_slist_append(headers, "Accept: application/json");
    double started = now(), cpu = cpu_seconds();
    if (!multi) {
        pthread_t threads[64];
        for (int i = 0; i < connections; i++) pthread_create(&threads[i], NULL, worker, NULL);
        struct timespec wait = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
        nanosleep(&wait, NULL);
        stop = 1;
        for (int i = 0; i < connections; i++) pthread_join(threads[i], NULL);
    } else {
        static char errors[64][CURL_ERROR_SIZE];
        CURLM *group = curl_multi_init();
        for (int i = 0; i < connections; i++) {
            CURL *handle = curl_easy_init();
            curl_easy_setopt(handle, CURLOPT_PRIVATE, errors[i]);
            configure(handle, errors[i]);
            curl_multi_add_handle(group, handle);
        }
        while (now() - started < seconds) {
            int running, left;
            curl_multi_perform(group, &running);
            CURLMsg *message;
            while ((message = curl_multi_info_read(group, &left))) {
                if (message->msg != CURLMSG_DONE) continue;
                CURL *handle = message->easy_handle;
                char *error;
                curl_easy_getinfo(handle, CURLINFO_PRIVATE, &error);
                if (message->data.result == CURLE_OK) total++;
                curl_multi_remove_handle(group, handle);
                configure(handle, error);
                curl_easy_setopt(handle, CURLOPT_PRIVATE, error);
                curl_multi_add_handle(group, handle);
            }
            curl_multi_poll(group, NULL, 0, 100, NULL);
        }
    }
    double elapsed = now() - started, used = cpu_seconds() - cpu;
    if (total == 0) {
        fprintf(stderr, "curl_client: no request succeeded\n");
        return 1;
    }
    printf("%s, %d connections: %ld requests, %.0f/s, %.1f us of client CPU per request\n",
           multi ? "multi" : "threads", connections, total, total / elapsed, used / total * 1e6);
    return 0;
}
