# fixed-egress: the commands. `make help` lists them.
SHELL := /bin/bash
export NODE_NO_WARNINGS := 1
export CHECKPOINT_DISABLE := 1
# PostgreSQL's server binaries live here on Debian when they are not linked onto PATH.
export PATH := $(CURDIR)/node_modules/.bin:/usr/lib/postgresql/15/bin:$(PATH)
JOB := node scripts/jobs.js

.PHONY: egress-ips verify adopt nat-upgrade help install install-test demo destroy deploy drift pack test-consumer bootstrap plan cost scan synth test test-unit test-terraform test-e2e test-lambda typecheck emulator-start emulator-stop emulator-status build clean

help:
	@cat help

node_modules/.install-stamp: package.json package-lock.json
	@scripts/node-modules.sh
	@touch $@

install: node_modules/.install-stamp  ## Debian packages, node packages and the emulator's virtualenv
	@scripts/system-deps.sh
	@scripts/emulator.sh install

install-test:  ## what install does, plus the tests' Debian packages and checkov's virtualenv (the installs run side by side)
	@scripts/system-deps.sh --test
	@set -e; $(MAKE) -s node_modules/.install-stamp & npm=$$!; scripts/emulator.sh install & moto=$$!; \
	  scripts/scan.sh install; wait $$npm; wait $$moto

demo: install  ## the main job: emulator up, state bootstrapped, both stacks deployed, egress IPs printed
	@scripts/emulator.sh start
	@$(JOB) deploy $(ARGS)

deploy: install  ## deploy FIXED_EGRESS_CONFIG (real AWS: your credentials); no emulator, no bootstrap
	@$(JOB) deploy --no-bootstrap $(ARGS)

destroy: node_modules/.install-stamp  ## destroy both stacks, app first
	@$(JOB) destroy $(ARGS)

bootstrap: node_modules/.install-stamp  ## create/check the S3 state bucket of FIXED_EGRESS_CONFIG
	@$(JOB) bootstrap

plan: node_modules/.install-stamp  ## plan both stacks and review them (fails on an egress IP change; ARGS=--allow-egress-change)
	@$(JOB) plan $(ARGS)

egress-ips: node_modules/.install-stamp  ## every egress IP of the deployed network (zone, device, role); ARGS="--format json|cidr" or ARGS="--check FILE"
	@$(JOB) egress-ips $(ARGS)

verify: node_modules/.install-stamp  ## run the deployed probe once: the address the database saw against the egress IPs (exit 1 when they differ)
	@$(JOB) verify

cost: node_modules/.install-stamp  ## monthly cost of the configured topology, single vs perAz (GB=100)
	@$(JOB) cost --gb $(or $(GB),100)

scan: install-test  ## checkov on the synthesized stacks of FIXED_EGRESS_CONFIG (.checkov.yaml lists each skip and why)
	@scripts/tf-env.sh cdktf synth >/dev/null
	@scripts/scan.sh cdktf.out/stacks

synth: node_modules/.install-stamp  ## write both stacks to cdktf.out/
	@scripts/tf-env.sh cdktf synth

typecheck: node_modules/.install-stamp
	@npx tsc --noEmit -p .

test: install-test  ## every suite: unit, terraform, consumer (the packed library), lambda (real PostgreSQL), e2e (emulator); six workers, longest suites first (the others at a lower priority); the type-check beside them
	@mkdir -p .run; $(MAKE) -s typecheck > .run/typecheck.log 2>&1 & tsc=$$!; \
	  npx jest --maxWorkers=6; jest=$$?; \
	  if ! wait $$tsc; then cat .run/typecheck.log; echo "make test: make typecheck failed (above)" >&2; exit 1; fi; exit $$jest

test-unit: node_modules/.install-stamp
	@npx jest __tests__/unit

test-terraform: install-test
	@npx jest --runInBand __tests__/terraform

test-lambda: install-test
	@npx jest --runInBand __tests__/lambda

test-e2e: install-test
	@npx jest --runInBand __tests__/e2e

emulator-start: install
	@scripts/emulator.sh start

emulator-stop:
	@scripts/emulator.sh stop

emulator-status:
	@scripts/emulator.sh status

build: node_modules/.install-stamp  ## compile both workspace packages (constructs/dist/, guard/dist/)
	@npm run -s build

pack: node_modules/.install-stamp  ## both packages' tarballs, as another team installs them (npm pack -w; each builds first)
	@npm pack -w @fixed-egress/constructs -w @fixed-egress/guard

test-consumer: install-test
	@npx jest --runInBand __tests__/consumer

clean:
	rm -rf cdktf.out dist constructs/dist guard/dist .run .build

adopt: node_modules/.install-stamp  ## write config/$(NAME).json from a hand-built network (VPC=vpc-… NAME=…), to import it with its egress IP
	@$(JOB) adopt --vpc "$(VPC)" --name "$(NAME)" $(if $(OUT),--out "$(OUT)") $(ARGS)

nat-upgrade: node_modules/.install-stamp  ## replace each NAT instance, one zone at a time, with the AMI its parameter names now (the egress IP stays)
	@$(JOB) nat-upgrade

drift: node_modules/.install-stamp  ## refresh-only plan of both stacks: what changed outside Terraform (exit 2 when something did)
	@$(JOB) drift
