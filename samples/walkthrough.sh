#!/bin/sh
# The whole revenue cycle with the samples, against a running engine whose deployment root is
# the current folder: a visit with two charges over MLLP, its claim batched into an 837, the
# payer simulator's 835 (with a reversal) dropped in the X12 inbox, then the claims and the
# reports. README's walkthrough runs this file; so does tests/walkthrough.rs.
#
#   SWITCHBOARD  how to run switchboard (default: switchboard; from a checkout:
#                SWITCHBOARD='cargo run -q --release --')
#   MLLP         the MLLP listener (default: 127.0.0.1:2575)
#   WAIT         seconds to wait at most for the payer's files to be taken (default: 60)
set -eu
SWITCHBOARD=${SWITCHBOARD:-switchboard}
MLLP=${MLLP:-127.0.0.1:2575}
WAIT=${WAIT:-60}

sb() {
    # Word splitting of $SWITCHBOARD is wanted: it may be a command with arguments.
    # shellcheck disable=SC2086
    $SWITCHBOARD "$@"
}

# Runs the command until it succeeds, once a second, for WAIT seconds at most.
poll() {
    what=$1
    shift
    waited=0
    until "$@"; do
        if [ "$waited" -ge "$WAIT" ]; then
            echo "$what: not within $WAIT s" >&2
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

# Submits the payer's ready claims; fails when there were none to submit.
submitted() {
    sb claims submit --payer HMO1 --wait | grep -q '^submitted: *SB'
}

SWITCHBOARD_TOKEN=$(sb token create --role operator --name "billing-$$")
export SWITCHBOARD_TOKEN

sb send --mllp "$MLLP" samples/hl7v2/dft-p03-switchboard.hl7   # a visit, two charges
# The ACK says the message is kept; its bill reaches the store a moment later.
poll "the visit's bill" submitted                       # returns once the 837 is in data/outbox/x12/
sb payer-sim --contract config/payers/acme-health.toml --reversal \
    "$(ls -t data/outbox/x12/*.x12 | head -1)" data/inbox/x12/acme-remit.x12
# The inbox takes a file once it stays unchanged over two polls; wait until the 835 is posted.
poll "the payer's files" sh -c "$SWITCHBOARD claims list --csv | grep -q ',paid,'"

sb claims list                                          # the claim is paid
sb report financial-summary                             # billed 180.50 = paid 70.40 + adjusted 67.50 + patient 42.60
sb report payer-performance
sb report claim-aging
sb report denial-analysis
sb report reconciliation-audit --csv
