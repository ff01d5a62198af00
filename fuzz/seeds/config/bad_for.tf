locals {
  a = [for x in 5 : x]
  b = {for k, v in {a = 1} : "k" => v}
}
