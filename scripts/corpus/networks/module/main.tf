# A NAT'd network as community modules write it: a child module, count-indexed resources, a NAT Gateway per zone.
module "vpc" {
  source = "./modules/net"
  cidr   = "10.40.0.0/16"
  zones  = ["ap-northeast-1a", "ap-northeast-1c"]
}
