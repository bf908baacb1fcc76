// How ipsecctl shows kernel state: text for people, JSON (--json) for
// scripts. Pure functions over the Kernel interface's structs; no keys can
// appear because the kernel never returns them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "kernel/kernel.h"

namespace ipsec::ctl {

// ifindex -> device name, for naming an SA's device.
using DevNames = std::map<int, std::string>;

std::string FormatDev(const kernel::DevInfo& dev);
std::string FormatSa(const kernel::SaInfo& sa, const DevNames& names);
std::string FormatPolicy(const std::string& dev, const kernel::Policy& pol);
std::string FormatSelector(const kernel::TrafficSelector& sel);
std::string FormatCounters(const kernel::Counters& c, const std::string& indent);

nlohmann::json CountersJson(const kernel::Counters& c);
nlohmann::json DevJson(const kernel::DevInfo& dev);
nlohmann::json SaJson(const kernel::SaInfo& sa, const DevNames& names);
nlohmann::json PolicyJson(const std::string& dev, const kernel::Policy& pol);
nlohmann::json SelectorJson(const kernel::TrafficSelector& sel);

// Event lines for `ipsecctl monitor`.
std::string FormatAcquire(const kernel::AcquireEvent& ev, const DevNames& names);
std::string FormatExpire(const kernel::ExpireEvent& ev, const DevNames& names);
std::string FormatErrorEvent(const kernel::ErrorEvent& ev, const DevNames& names);
// "mapping ipsec0 in spi 0x... reqid N from OLD:PORT to NEW:PORT"
std::string FormatMapping(const kernel::MappingEvent& ev, const DevNames& names);

std::string SpiHex(uint32_t spi);  // "0x00001000"

}  // namespace ipsec::ctl
