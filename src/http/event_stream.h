// A held answer of server-sent events (text/event-stream, chunked): the
// connection stays open after the handler returned, on no worker thread, and
// any thread may write events to it until it ends.
//
// A handler asks for one by setting ApiReply::stream (http/reply.h) on a 200
// reply. The server then sends the head, keeps the connection among its held
// streams (ServerOptions::max_streams; beyond that the request is answered
// 503 SERVICE_BUSY with Retry-After instead) and calls the opener on the
// worker with the stream; what the opener returns is called once when the
// stream ends (peer gone, write failed or too slow, server stopping), from
// the server's stream thread, to unsubscribe. Every heartbeat interval the
// server writes an SSE comment line on each stream, so a dead peer is found
// and idle proxies keep the connection.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace facepass::http {

class EventStream {
 public:
  virtual ~EventStream() = default;
  // Queues `text` (whole SSE events, each ending in a blank line) and starts
  // writing it. Any thread; never waits for the network. false once the
  // stream has ended, or when the peer leaves too much unread (the stream
  // then ends).
  virtual bool Send(std::string text) = 0;
  virtual bool ended() const = 0;
};

// Subscribes the stream to whatever feeds it; returns the unsubscribe.
using StreamOpener = std::function<std::function<void()>(std::shared_ptr<EventStream>)>;

}  // namespace facepass::http
