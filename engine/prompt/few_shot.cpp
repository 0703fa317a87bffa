#include "prompt/few_shot.h"

#include <cstdio>

namespace iccache {

int64_t count_chars(std::string_view text) {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  int64_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;  // UTF-8 passes through: JSON text is UTF-8
        }
    }
  }
  out += '"';
}

namespace {

void append_message(std::string& out, std::string_view role, std::string_view content) {
  if (out.size() > 1) out += ',';
  out += "{\"role\":\"";
  out += role;
  out += "\",\"content\":";
  append_json_string(out, content);
  out += '}';
}

void append_turn(std::string& out, std::string_view request) {
  out += kQuestionLabel;
  out += request;
  out += '\n';
  out += kAnswerLabel;
}

}  // namespace

FewShotPrompt build_few_shot(const std::vector<FewShotExample>& best_first,
                             std::string_view request, int64_t max_chars) {
  FewShotPrompt p;
  p.chars = count_chars(request);
  std::vector<const FewShotExample*> kept;  // best first
  for (const FewShotExample& e : best_first) {
    const int64_t c = count_chars(e.request) + count_chars(e.response);
    if (max_chars > 0 && p.chars + c > max_chars) continue;
    p.chars += c;
    kept.push_back(&e);
    p.ids.push_back(e.id);
  }
  // Best last: walk the kept examples backwards.
  p.messages.push_back('[');  // (not = "[": GCC 12 warns falsely, -Wrestrict)
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
    append_message(p.messages, "user", (*it)->request);
    append_message(p.messages, "assistant", (*it)->response);
    append_turn(p.text, (*it)->request);
    p.text += ' ';
    p.text += (*it)->response;
    p.text += "\n\n";
  }
  append_message(p.messages, "user", request);
  p.messages += ']';
  append_turn(p.text, request);
  return p;
}

}  // namespace iccache
