// HTTP status codes the server uses, with their reason phrases.
#pragma once

#include <string_view>

namespace http {

std::string_view reason_phrase(int status);

}  // namespace http
