locals {
  a = "${unterminated
}
