#include "daemon/control_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ipsec::daemon {
namespace {

constexpr timeval kClientTimeout{10, 0};

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Whether a daemon answers on path (connect succeeds).
bool SomeoneListens(const sockaddr_un& sa) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

// One client: read a line, answer, close once the answer is written.
struct Client {
  const ControlServer* server;
  bufferevent* bev;
  bool answered = false;
};

void FreeClient(Client* c) {
  bufferevent_free(c->bev);
  delete c;
}

void OnWritten(bufferevent* bev, void* arg) {
  auto* c = static_cast<Client*>(arg);
  if (c->answered && evbuffer_get_length(bufferevent_get_output(bev)) == 0) FreeClient(c);
}

void OnRead(bufferevent* bev, void* arg) {
  auto* c = static_cast<Client*>(arg);
  if (c->answered) return;
  evbuffer* in = bufferevent_get_input(bev);
  size_t len = 0;
  char* line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
  if (!line) {
    if (evbuffer_get_length(in) > control::kMaxLineBytes) FreeClient(c);
    return;
  }
  std::string reply = c->server->HandleLine(std::string(line, len));
  free(line);
  reply += '\n';
  c->answered = true;
  bufferevent_write(bev, reply.data(), reply.size());
}

void OnEvent(bufferevent*, short, void* arg) {
  // EOF, error or timeout: the client is gone or stalled.
  FreeClient(static_cast<Client*>(arg));
}

}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Listen(event_base* base,
                                                             const std::string& path,
                                                             Handler handler) {
  std::unique_ptr<ControlServer> s(new ControlServer());
  s->base_ = base;
  s->path_ = path;
  s->handler_ = std::move(handler);

  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sa.sun_path)
    return MakeError("control socket path '" + path + "' is empty or too long");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);

  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
      std::filesystem::create_directories(dir, ec);
      if (ec) return MakeError("create " + dir.string() + ": " + ec.message());
      chmod(dir.c_str(), 0700);
    }
  }
  if (SomeoneListens(sa))
    return MakeError("another ipsecd answers on " + path +
                     " (use --ctl to give this one its own socket)");
  unlink(path.c_str());

  s->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0) return MakeError(Errno("control socket"), errno);
  mode_t old = umask(0077);
  int rc = bind(s->fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  umask(old);
  if (rc != 0) return MakeError(Errno("bind " + path), errno);
  if (listen(s->fd_, 16) != 0) return MakeError(Errno("listen " + path), errno);
  s->accept_ev_ = event_new(base, s->fd_, EV_READ | EV_PERSIST, &ControlServer::OnAccept, s.get());
  if (!s->accept_ev_ || event_add(s->accept_ev_, nullptr) != 0)
    return MakeError("cannot add the control socket to the event loop");
  return s;
}

ControlServer::~ControlServer() {
  if (accept_ev_) event_free(accept_ev_);
  if (fd_ >= 0) {
    close(fd_);
    unlink(path_.c_str());
  }
}

void ControlServer::OnAccept(int, short, void* arg) {
  static_cast<ControlServer*>(arg)->Accept();
}

void ControlServer::Accept() {
  for (;;) {
    int cfd = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) return;  // EAGAIN, or a client that left already
    bufferevent* bev = bufferevent_socket_new(base_, cfd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
      close(cfd);
      continue;
    }
    auto* c = new Client{this, bev};
    bufferevent_setcb(bev, OnRead, OnWritten, OnEvent, c);
    bufferevent_set_timeouts(bev, &kClientTimeout, &kClientTimeout);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
  }
}

std::string ControlServer::HandleLine(const std::string& line) const {
  nlohmann::json reply;
  try {
    auto j = nlohmann::json::parse(line);
    if (!j.is_object() || !j.contains("cmd") || !j["cmd"].is_string()) {
      reply = control::ErrorResponse("request must be a JSON object with a string \"cmd\"");
    } else {
      reply = handler_(j.get<control::Request>());
    }
  } catch (const nlohmann::json::exception& e) {
    reply = control::ErrorResponse(std::string("bad request: ") + e.what());
  }
  return reply.dump();
}

}  // namespace ipsec::daemon
