// The responder half of the task table: which tasks answer a request.
#include "engine/ike_sa.h"
#include "engine/tasks/tasks.h"

namespace ipsec::engine {

std::vector<std::unique_ptr<Task>> CreateResponderTasks(EngineContext& ctx, IkeSa& /*sa*/,
                                                        const ike::Message& req) {
  std::vector<std::unique_ptr<Task>> t;
  switch (req.header.exchange) {
    case ike::ExchangeType::kIkeSaInit:
      t.push_back(MakeIkeSaInitTask(ctx));
      t.push_back(MakeNatdTask(ctx));
      break;
    case ike::ExchangeType::kIkeAuth:
      t.push_back(MakeIkeAuthTask(ctx));
      t.push_back(MakeChildCreateTask(ctx, 0));
      break;
    case ike::ExchangeType::kCreateChildSa: {
      const auto* sap = req.Find<ike::SaPayload>(ike::PayloadType::kSa);
      const bool ike_rekey =
          sap && !sap->proposals.empty() && sap->proposals[0].proposal.protocol == ProtocolId::kIke;
      if (ike_rekey)
        t.push_back(MakeIkeRekeyResponderTask(ctx));
      else
        t.push_back(MakeChildCreateTask(ctx, 0));
      break;
    }
    case ike::ExchangeType::kInformational:
      t.push_back(MakeInformationalResponderTask(ctx));
      break;
    default:
      break;
  }
  return t;
}

}  // namespace ipsec::engine
