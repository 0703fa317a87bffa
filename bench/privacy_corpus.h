// A labelled corpus for the personal-data scanner (bench/privacy_bench.cpp): texts holding
// generated e-mail addresses, phone numbers, cards, IBANs, IP addresses and secrets at known
// byte ranges, and hard negatives (look-alikes that are not personal data: Luhn-failing
// numbers, versions, times, ISBNs, UUIDs, hashes, C++ names, MAC addresses, prices). Fixed
// seed: the same corpus on every machine.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "privacy/pii_scanner.h"

namespace bench {

struct LabelledText {
  std::string text;
  std::vector<iccache::PiiMatch> labels;  // the personal data it holds (empty: a negative)
};

class PiiCorpus {
 public:
  explicit PiiCorpus(uint64_t seed) : rng_(seed) {}

  // One text holding one item of `kind`, in a random sentence.
  LabelledText positive(iccache::PiiKind kind) {
    std::string item;
    switch (kind) {
      case iccache::PiiKind::kEmail: item = email(); break;
      case iccache::PiiKind::kPhone: item = phone(); break;
      case iccache::PiiKind::kCard: item = card(); break;
      case iccache::PiiKind::kIban: item = iban(); break;
      case iccache::PiiKind::kIp: item = ip(); break;
      case iccache::PiiKind::kSecret: item = secret(); break;
    }
    static const char* kBefore[] = {"Please contact me at ", "My details: ", "(", "value=",
                                    "Forwarded from ", "use ", "Here it is:\n", "\"", "",
                                    "Ticket 4821 - customer wrote: "};
    static const char* kAfter[] = {" if anything changes.", ")", ".", "\"", "", "\nThanks!",
                                   ", and reply soon", " - see above.", "; ok?", " today"};
    std::string before = kBefore[pick(10)];
    LabelledText t;
    t.text = before + item + kAfter[pick(10)];
    t.labels.push_back({kind, before.size(), before.size() + item.size()});
    return t;
  }

  // A text with no personal data that a careless detector could take for some.
  LabelledText hard_negative() {
    static const char* kFixed[] = {
        "Upgrade to version 1.2.3.4 before 2.10.0.1 ships.",
        "The meeting is at 12:30:45 on 2024-01-15.",
        "ISBN 978-3-16-148410-0 is on the shelf.",
        "Use std::vector and std::map; call Add::dec.",
        "Device 00:1a:2b:3c:4d:5e joined.",
        "It costs $1,234.56 or 3+4=7 units.",
        "Order 1234-5678 shipped; ref 20240115093000.",
        "Follow @openai and email support (no address given).",
        "task-abcdefghijklmnopqrstuvwxyz is a slug, sk-short is not a key.",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
        "The bearer of this letter is welcome.",
        "Chapter 3.2.1.4.5 covers it.",
        "See https://example.com/docs?id=42 for details.",
        "Between 10 and 20 km: 15.5 km.",
    };
    LabelledText t;
    switch (pick(6)) {
      case 0: t.text = "Order number " + luhn_failing(16) + " was cancelled."; break;
      case 1: t.text = "uuid " + uuid(); break;
      case 2: t.text = "commit " + hex(40) + " fixed it"; break;
      case 3: t.text = "invoice " + digits(10) + ", total " + digits(3) + "." + digits(2); break;
      case 4: t.text = "IBAN-like " + bad_iban() + " (check digits wrong)"; break;
      default: t.text = kFixed[pick(sizeof kFixed / sizeof *kFixed)]; break;
    }
    return t;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  char digit() { return static_cast<char>('0' + pick(10)); }
  std::string digits(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += digit();
    return s;
  }
  std::string from(const char* alphabet, size_t n) {
    const std::string a(alphabet);
    std::string s;
    for (size_t i = 0; i < n; ++i) s += a[pick(a.size())];
    return s;
  }
  std::string hex(size_t n) { return from("0123456789abcdef", n); }
  std::string alnum(size_t n) {
    return from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", n);
  }
  std::string uuid() { return hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12); }

  std::string email() {
    static const char* kFirst[] = {"john", "maria", "wei", "a", "olu", "sara", "dev", "k"};
    static const char* kLast[] = {"smith", "garcia", "zhang", "o_neil", "ng", "ivanova"};
    static const char* kDomain[] = {"example.com", "mail.example.org", "corp.co.uk", "uni.edu",
                                    "startup.io", "post.de", "x-y.net"};
    std::string local = kFirst[pick(8)];
    switch (pick(4)) {
      case 0: local += std::string(".") + kLast[pick(6)]; break;
      case 1: local += kLast[pick(6)] + digits(2); break;
      case 2: local += "+" + std::string(kLast[pick(6)]); break;
      default: break;
    }
    return local + "@" + kDomain[pick(7)];
  }

  std::string phone() {
    switch (pick(6)) {
      case 0: return "+44 20 " + digits(4) + " " + digits(4);
      case 1: return "+1 (" + std::to_string(200 + pick(800)) + ") " + digits(3) + "-" + digits(4);
      case 2: return "+49-30-" + digits(7);
      case 3: return "0033 1 " + digits(2) + " " + digits(2) + " " + digits(2) + " " + digits(2);
      case 4: return "(" + std::to_string(200 + pick(800)) + ") " + digits(3) + "-" + digits(4);
      default: return std::to_string(200 + pick(800)) + "-" + digits(3) + "-" + digits(4);
    }
  }

  static char luhn_digit(const std::string& body) {  // check digit appended to body
    int sum = 0;
    for (size_t k = 0; k < body.size(); ++k) {
      int d = body[body.size() - 1 - k] - '0';
      if (k % 2 == 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
  }
  std::string luhn_failing(size_t n) {
    std::string body = "4" + digits(n - 2);
    const char ok = luhn_digit(body);
    return body + static_cast<char>('0' + (ok - '0' + 1 + pick(9)) % 10);
  }
  std::string card() {
    static const char* kPrefix[] = {"4", "51", "55", "2221", "34", "37", "6011", "35"};
    const std::string prefix = kPrefix[pick(8)];
    const size_t len = (prefix == "34" || prefix == "37") ? 15 : 16;
    std::string body = prefix + digits(len - 1 - prefix.size());
    const std::string number = body + luhn_digit(body);
    if (len == 15 || pick(3) == 0) return number;
    const char sep = pick(2) ? ' ' : '-';
    std::string out;
    for (size_t i = 0; i < number.size(); ++i) {
      if (i && i % 4 == 0) out += sep;
      out += number[i];
    }
    return out;
  }

  static int mod97(const std::string& s) {
    int rem = 0;
    for (char c : s) rem = (c >= 'A') ? (rem * 100 + (c - 'A' + 10)) % 97 : (rem * 10 + (c - '0')) % 97;
    return rem;
  }
  std::string iban_with(bool valid) {
    static const struct { const char* cc; size_t len; bool letters; } kCountry[] = {
        {"DE", 18, false}, {"GB", 18, true}, {"FR", 23, false}, {"NL", 14, true},
        {"ES", 20, false}, {"IT", 23, true}};
    const auto& c = kCountry[pick(6)];
    std::string bban = c.letters ? from("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4) + digits(c.len - 4) : digits(c.len);
    const int check = 98 - mod97(bban + c.cc + "00");
    std::string cd = std::to_string(valid ? check : (check % 97) + 1);
    if (cd.size() < 2) cd = "0" + cd;
    const std::string number = c.cc + cd + bban;
    if (pick(2)) return number;
    std::string out;
    for (size_t i = 0; i < number.size(); ++i) {
      if (i && i % 4 == 0) out += ' ';
      out += number[i];
    }
    return out;
  }
  std::string iban() { return iban_with(true); }
  std::string bad_iban() { return iban_with(false); }

  std::string ip() {
    auto octet = [&] { return std::to_string(pick(256)); };
    switch (pick(4)) {
      case 0:
      case 1: return octet() + "." + octet() + "." + octet() + "." + octet();
      case 2: {
        std::string s = "2001:db8";
        for (int i = 0; i < 6; ++i) s += ":" + hex(1 + pick(4));
        return s;
      }
      default: return "fe80::" + hex(4) + ":" + hex(1 + pick(4)) + ":1";
    }
  }

  std::string secret() {
    switch (pick(8)) {
      case 0: return "sk-proj-" + alnum(40);
      case 1: return "ghp_" + alnum(36);
      case 2: return "AKIA" + from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
      case 3: return "xoxb-" + digits(12) + "-" + alnum(24);
      case 4: return "AIza" + alnum(35);
      case 5: return "eyJ" + alnum(20) + "." + alnum(40) + "." + alnum(43);
      case 6: return "-----BEGIN PRIVATE KEY-----\n" + alnum(64) + "\n" + alnum(20) +
                     "\n-----END PRIVATE KEY-----";
      default: return "sk_live_" + alnum(24);
    }
  }

  std::mt19937_64 rng_;
};

}  // namespace bench
