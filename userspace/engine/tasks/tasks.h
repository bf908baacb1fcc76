// Factories for the tasks (one file each in tasks/) and the responder's
// choice of tasks for an incoming request.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "ike/message.h"

namespace ipsec::engine {

// Our nonces (Ni, Nr, in IKE_SA_INIT and CREATE_CHILD_SA): 256 bits, at
// least half the largest PRF key we negotiate (RFC 7296 2.10).
constexpr size_t kNonceSize = 32;

struct EngineContext;
class IkeSa;

std::unique_ptr<Task> MakeIkeSaInitTask(EngineContext& ctx);  // ike_sa_init.cc
std::unique_ptr<Task> MakeNatdTask(EngineContext& ctx);       // natd.cc
std::unique_ptr<Task> MakeIkeAuthTask(EngineContext& ctx);    // ike_auth.cc
// Initiator: a child SA for subnet pair `pair` of conn (null: the IKE SA's
// own connection; another one sharing the IKE SA, engine/ike_sa_sharing.h);
// with rekey_inbound_spi, a rekey (N(REKEY_SA)) of the child with that
// inbound SPI, for its own connection. Responder: pair and conn unused.
std::unique_ptr<Task> MakeChildCreateTask(
    EngineContext& ctx, size_t pair, uint32_t rekey_inbound_spi = 0,
    std::shared_ptr<const Connection> conn = nullptr);  // child_create.cc
std::unique_ptr<Task> MakeChildDeleteTask(EngineContext& ctx, uint32_t inbound_spi);  // delete.cc
std::unique_ptr<Task> MakeIkeDeleteTask(EngineContext& ctx);                          // delete.cc
std::unique_ptr<Task> MakeInformationalResponderTask(EngineContext& ctx);             // delete.cc
std::unique_ptr<Task> MakeDpdTask(EngineContext& ctx);                                // dpd.cc
// IKE SA rekey (ike_rekey.cc): the initiator task, and the responder task.
std::unique_ptr<Task> MakeIkeRekeyTask(EngineContext& ctx);
std::unique_ptr<Task> MakeIkeRekeyResponderTask(EngineContext& ctx);

// The responder's tasks for a request, in processing order (the responder
// half of the task table in task_manager.cc).
std::vector<std::unique_ptr<Task>> CreateResponderTasks(EngineContext& ctx, IkeSa& sa,
                                                        const ike::Message& request);

}  // namespace ipsec::engine
