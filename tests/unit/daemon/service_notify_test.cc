// daemon/service_notify.h: what systemd receives on $NOTIFY_SOCKET.
#include "daemon/service_notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace ipsec::daemon {
namespace {

// Plays systemd: a datagram socket at $NOTIFY_SOCKET.
class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path = "/tmp/ipsecd_notify_test." + std::to_string(getpid());
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strcpy(sa.sun_path, path.c_str());
    unlink(path.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    close(fd);
    unlink(path.c_str());
  }
  std::string Next() {
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, n) : "(nothing)";
  }
  std::string path;
  int fd = -1;
};

TEST_F(NotifyTest, ReadyReloadStatusStopping) {
  NotifyReady("2 connection(s), 1 IKE SA(s), 2 child SA(s) up");
  EXPECT_EQ(Next(), "READY=1\nSTATUS=2 connection(s), 1 IKE SA(s), 2 child SA(s) up");
  NotifyReloading();
  EXPECT_EQ(Next(), "RELOADING=1\nSTATUS=reloading the configuration");
  NotifyStatus("first line\nREADY=1");  // one line only: no injected assignment
  EXPECT_EQ(Next(), "STATUS=first line");
  NotifyStopping();
  EXPECT_EQ(Next(), "STOPPING=1\nSTATUS=stopping: deleting IKE SAs");
}

}  // namespace
}  // namespace ipsec::daemon
