# A NAT'd network in plain HCL with inline routes: the VPC's main route table (aws_default_route_table) sends
# 0.0.0.0/0 to the NAT Gateway, so the private subnets have no association of their own.
resource "aws_vpc" "v" {
  cidr_block = "10.50.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.v.id
}

resource "aws_subnet" "public" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.50.0.0/24"
  availability_zone = "ap-northeast-1a"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.50.10.0/24"
  availability_zone = "ap-northeast-1a"
}

resource "aws_subnet" "private_c" {
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.50.11.0/24"
  availability_zone = "ap-northeast-1c"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.v.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}

resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  depends_on    = [aws_internet_gateway.igw]
}

resource "aws_default_route_table" "main" {
  default_route_table_id = aws_vpc.v.default_route_table_id
  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.nat.id
  }
}
