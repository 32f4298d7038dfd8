#include "peers/common/errno_names.hpp"

#include <cerrno>
#include <utility>

namespace wireproof::peers {

std::string errno_name(int err) {
  // The errors a socket peer can meet; anything else is named by number.
  static constexpr std::pair<int, const char*> kNames[] = {
      {ECONNRESET, "ECONNRESET"},     {ETIMEDOUT, "ETIMEDOUT"},       {ECONNREFUSED, "ECONNREFUSED"},
      {EHOSTUNREACH, "EHOSTUNREACH"}, {ENETUNREACH, "ENETUNREACH"},   {EPIPE, "EPIPE"},
      {ECONNABORTED, "ECONNABORTED"}, {ENETRESET, "ENETRESET"},       {ENETDOWN, "ENETDOWN"},
      {EHOSTDOWN, "EHOSTDOWN"},       {ENOTCONN, "ENOTCONN"},         {EADDRINUSE, "EADDRINUSE"},
      {EADDRNOTAVAIL, "EADDRNOTAVAIL"}, {EAFNOSUPPORT, "EAFNOSUPPORT"}, {EMSGSIZE, "EMSGSIZE"},
      {ENOBUFS, "ENOBUFS"},           {ENOMEM, "ENOMEM"},             {EPROTO, "EPROTO"},
      {EAGAIN, "EAGAIN"},             {EINTR, "EINTR"},               {EINVAL, "EINVAL"},
      {EBADF, "EBADF"},               {EACCES, "EACCES"},             {EPERM, "EPERM"},
      {EINPROGRESS, "EINPROGRESS"},   {EALREADY, "EALREADY"},         {EISCONN, "EISCONN"},
  };
  for (const auto& [value, name] : kNames)
    if (value == err) return name;
  return "errno_" + std::to_string(err);
}

}  // namespace wireproof::peers
