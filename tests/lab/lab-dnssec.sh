# shellcheck shell=bash
# DNSSEC in the lab (issue 16), sourced by anycast-lab: every site serves the lab zone signed by the lab
# itself (tests/integration/sign-zone, i.e. ldns-signzone), and the verb
#
#   anycast-lab dnssec SITE good|expiring|corrupt|other-keys|unsigned
#
# re-signs one site's copy:
#   good        the lab's key set, signatures valid from an hour ago for 30 days (every site at `up`)
#   expiring    an old copy (serial $SERIAL - 1) signed 29 days ago, whose signatures run out in 1d 3h
#   corrupt     one bit of the SOA's RRSIG flipped: present, well formed, does not verify
#   other-keys  signed with a second key set: a key rollover that reached only this site
#   unsigned    no DNSSEC records at all
# State: $STATE/dnssec/keys and $STATE/dnssec/other-keys (made on first use), $STATE/dnssec/site/SITE.
# Hooked into anycast-lab by one call in write_site_config, one verb in main and one usage line.

LAB_SIGN_ZONE=${ANYCAST_LAB_SIGN_ZONE:-$HERE/../integration/sign-zone}
LAB_DNSSEC_MODES="good expiring corrupt other-keys unsigned"

dnssec_sign_site_zone() { # site zonefile
    local site=$1 file=$2 mode now day=86400
    mode=$(state_get "dnssec/site/$site" good)
    now=$(date +%s)
    local -a args=(--keys "$STATE/dnssec/keys" --inception $((now - 3600)) --expiration $((now + 30 * day)))
    case $mode in
        unsigned) return 0 ;;
        good) ;;
        expiring) args=(--keys "$STATE/dnssec/keys" --inception $((now - 29 * day))
            --expiration $((now + day + 3 * 3600 + 600))) ;;
        corrupt) args+=(--corrupt-soa-rrsig) ;;
        other-keys) args[1]=$STATE/dnssec/other-keys ;;
        *) die "unknown DNSSEC mode '$mode' for $site" ;;
    esac
    [[ -x $LAB_SIGN_ZONE ]] || die "sign-zone not found at $LAB_SIGN_ZONE (set ANYCAST_LAB_SIGN_ZONE)"
    "$LAB_SIGN_ZONE" "${args[@]}" "$file" "${ZONE%.}" >/dev/null || die "could not sign the zone of $site"
}

cmd_dnssec() { # site mode
    if (($# != 2)) || [[ " $LAB_DNSSEC_MODES " != *" $2 "* ]]; then
        die "usage: anycast-lab dnssec SITE ${LAB_DNSSEC_MODES// /|}"
    fi
    local site
    site=$(resolve_node "$1")
    need_kind "$site" site
    need_up
    state_set "dnssec/site/$site" "$2"
    case $2 in
        expiring) state_set "serial/$site" $((SERIAL - 1)) ;;
        good) state_set "serial/$site" "$SERIAL" ;;
    esac
    restart_site "$site"
    echo "$site now serves $ZONE $2 (serial $(state_get "serial/$site" "$SERIAL"))"
}
