output "o" {
  value = nosuchfunction(1)
}
