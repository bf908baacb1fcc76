// The daemon's end of the control socket (control_protocol.h): a unix
// stream socket served from the libevent loop. Each client sends one JSON
// line and gets one JSON line back; the connection is then closed. A client
// that sends garbage gets {"ok":false,"error":...}; one that sends too much
// or stalls is dropped. Nothing here blocks the loop.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "daemon/control_protocol.h"

struct event_base;
struct evconnlistener;
struct event;

namespace ipsec::daemon {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const control::Request&)>;

  // Creates the socket's directory (0700) if missing, refuses to start when
  // another daemon answers on path, removes a stale socket file, binds,
  // and listens (socket mode 0600: root only).
  static Result<std::unique_ptr<ControlServer>> Listen(event_base* base, const std::string& path,
                                                       Handler handler);
  ~ControlServer();  // closes and unlinks the socket
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const { return path_; }
  // Parses and answers one request line (exposed for tests).
  std::string HandleLine(const std::string& line) const;

 private:
  ControlServer() = default;
  static void OnAccept(int fd, short what, void* arg);
  void Accept();

  event_base* base_ = nullptr;
  std::string path_;
  int fd_ = -1;
  event* accept_ev_ = nullptr;
  Handler handler_;
};

}  // namespace ipsec::daemon
