/* dev_server: answers every HTTP request on 127.0.0.1:PORT with the version compiled in. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define VERSION "version 1"

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 8080;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in addr;
    if (server < 0) {
        perror("socket");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only */
    if (bind(server, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(server, 16) < 0) {
        perror("bind/listen");
        return 1;
    }
    printf("serving %s on 127.0.0.1:%d (pid %d)\n", VERSION, port, (int)getpid());
    fflush(stdout);
    for (;;) {
        char request[4096];
        char reply[256];
        int n;
        int client = accept(server, NULL, NULL);
        if (client < 0)
            continue;
        /* Read the request head (one read is enough for the short requests we get). */
        n = (int)read(client, request, sizeof request);
        (void)n;
        n = snprintf(reply, sizeof reply,
                     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s\n",
                     (int)strlen(VERSION) + 1, VERSION);
        if (write(client, reply, (size_t)n) < 0)
            perror("write");
        close(client);
    }
}
