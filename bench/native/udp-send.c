/*
 * The C side of bench/udp-send.ts: CPU (user + system, getrusage) per 600-octet datagram sent and
 * received on loopback by one process, as the Node side measures it, with sendto/recv one
 * datagram at a time or sendmmsg/recvmmsg in batches. Usage: udp-send COUNT BATCH (BATCH 1..64);
 * prints the microseconds per datagram received.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

static double cpu_us(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_sec * 1e6 + r.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  long count = atol(argv[1]);
  int batch = atoi(argv[2]);
  if (count <= 0 || batch < 1 || batch > 64) return 2;
  int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = 0};
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof to;
  if (bind(rx, (struct sockaddr *)&to, sizeof to) != 0 || getsockname(rx, (struct sockaddr *)&to, &len) != 0) return 1;
  int big = 8 << 20;
  setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  static char payload[600], in[64][2048];
  memset(payload, 'a', sizeof payload);
  struct mmsghdr out[64], got[64];
  struct iovec outv[64], inv[64];
  long received = 0;
  double start = cpu_us();
  for (long sent = 0; sent < count; sent += batch) {
    if (batch == 1) {
      sendto(tx, payload, sizeof payload, 0, (struct sockaddr *)&to, sizeof to);
      while (received <= sent && recv(rx, in[0], sizeof in[0], 0) > 0) received++;
      continue;
    }
    for (int k = 0; k < batch; k++) {
      outv[k] = (struct iovec){.iov_base = payload, .iov_len = sizeof payload};
      memset(&out[k], 0, sizeof out[k]);
      out[k].msg_hdr.msg_iov = &outv[k];
      out[k].msg_hdr.msg_iovlen = 1;
      out[k].msg_hdr.msg_name = &to;
      out[k].msg_hdr.msg_namelen = sizeof to;
    }
    sendmmsg(tx, out, batch, 0);
    while (received < sent + batch) {
      for (int k = 0; k < 64; k++) {
        inv[k] = (struct iovec){.iov_base = in[k], .iov_len = sizeof in[k]};
        memset(&got[k], 0, sizeof got[k]);
        got[k].msg_hdr.msg_iov = &inv[k];
        got[k].msg_hdr.msg_iovlen = 1;
      }
      int n = recvmmsg(rx, got, 64, MSG_WAITFORONE, NULL);
      if (n <= 0) return 1;
      received += n;
    }
  }
  printf("%.3f\n", (cpu_us() - start) / received);
  return 0;
}
