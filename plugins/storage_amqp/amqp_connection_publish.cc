// Connection (amqp_connection.h): publishing. basic.publish frames are encoded here into the
// outbound buffer and written in one send() for many messages (see the header's decisions).
#include "amqp_connection.h"

#include <amqp_framing.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mqgw::amqp {
namespace {

constexpr size_t kFlushAt = 256 * 1024;       // publish() writes the buffer beyond this
constexpr size_t kKeepCapacity = 4 << 20;     // a buffer grown past this is released
constexpr int kWriteTimeoutMs = 30000;
constexpr uint8_t kFrameEnd = AMQP_FRAME_END;  // 0xCE

void put16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}

void put64(std::string& out, uint64_t v) {
  put32(out, static_cast<uint32_t>(v >> 32));
  put32(out, static_cast<uint32_t>(v));
}

void putShortString(std::string& out, std::string_view s) {
  out += static_cast<char>(s.size());
  out.append(s);
}

}  // namespace

void Connection::appendFrameHeader(uint8_t type, uint32_t size) {
  out_ += static_cast<char>(type);
  put16(out_, kChannel);
  put32(out_, size);
}

bool Connection::publish(const std::string& exchange, const std::string& routingKey,
                         const amqp_basic_properties_t& props, std::string_view body,
                         uint64_t* tag) {
  if (!isOpen() || exchange.size() > 255 || routingKey.size() > 255) return false;
  const size_t start = out_.size();
  // basic.publish: method id, ticket, exchange, routing key, mandatory/immediate bits
  appendFrameHeader(AMQP_FRAME_METHOD,
                    static_cast<uint32_t>(4 + 2 + 1 + exchange.size() + 1 + routingKey.size() + 1));
  put32(out_, AMQP_BASIC_PUBLISH_METHOD);
  put16(out_, 0);
  putShortString(out_, exchange);
  putShortString(out_, routingKey);
  out_ += '\0';
  out_ += static_cast<char>(kFrameEnd);
  // content header: class, weight, body size, then the properties rabbitmq-c encodes
  const size_t headerAt = out_.size();
  appendFrameHeader(AMQP_FRAME_HEADER, 0);
  put16(out_, AMQP_BASIC_CLASS);
  put16(out_, 0);
  put64(out_, body.size());
  const size_t propsAt = out_.size();
  int encoded = -1;
  for (size_t cap = 512; encoded < 0 && cap <= (16u << 20); cap *= 8) {
    out_.resize(propsAt + cap);
    encoded = amqp_encode_properties(AMQP_BASIC_CLASS, const_cast<amqp_basic_properties_t*>(&props),
                                     amqp_bytes_t{cap, out_.data() + propsAt});
  }
  if (encoded < 0) {
    out_.resize(start);
    return false;
  }
  out_.resize(propsAt + static_cast<size_t>(encoded));
  const uint32_t headerSize = static_cast<uint32_t>(out_.size() - headerAt - 7);
  for (int i = 0; i < 4; ++i)
    out_[headerAt + 3 + i] = static_cast<char>(headerSize >> (8 * (3 - i)));
  out_ += static_cast<char>(kFrameEnd);
  // body frames of at most frame_max - 8 bytes (7 of header, 1 of end)
  const size_t chunk = frameMax_ - 8;
  for (size_t off = 0; off < body.size(); off += chunk) {
    size_t n = std::min(chunk, body.size() - off);
    appendFrameHeader(AMQP_FRAME_BODY, static_cast<uint32_t>(n));
    out_.append(body.data() + off, n);
    out_ += static_cast<char>(kFrameEnd);
  }
  if (tag) *tag = confirms_ ? nextTag_++ : 0;
  return out_.size() < kFlushAt || flush();
}

bool Connection::flush() {
  if (!isOpen()) return false;
  if (out_.empty()) return true;
  bool ok = writeAll(out_.data(), out_.size());
  if (!ok) return false;
  out_.clear();
  if (out_.capacity() > kKeepCapacity) out_.shrink_to_fit();
  return true;
}

bool Connection::writeAll(const char* data, size_t len) {
  int fd = amqp_get_sockfd(conn_);
  while (len > 0) {
    ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      len -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      int ready = ::poll(&p, 1, kWriteTimeoutMs);
      if (ready > 0 || (ready < 0 && errno == EINTR)) continue;
      noteClosed("RabbitMQ took no data for " + std::to_string(kWriteTimeoutMs / 1000) + " s");
      return false;
    }
    noteClosed(std::string("connection lost while writing: ") + std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace mqgw::amqp
