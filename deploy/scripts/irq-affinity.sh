#!/usr/bin/env bash
# Moves interrupt handling off the reactor CPUs, as Seastar's perftune.py does for its shards: every IRQ whose
# affinity names a reactor CPU keeps only its other CPUs (or gets the housekeeping CPUs when none is left), the default
# affinity for new IRQs becomes the housekeeping CPUs, and every RPS (rx-*/rps_cpus) and XPS (tx-*/xps_cpus) mask
# drops the reactor CPUs. `coreloop check` reports what this fixes (irq-affinity, rps-xps).
#
#   sudo deploy/scripts/irq-affinity.sh --reactor-cpus 2-7 --dry-run     print what it would write
#   sudo deploy/scripts/irq-affinity.sh --reactor-cpus 2-7               write it
#
# Options:
#   --reactor-cpus LIST      the CPUs to keep free of interrupts (the reactor CPUs `coreloop check` prints). Required.
#   --housekeeping-cpus LIST where IRQs go when none of their CPUs is left. Default: the online CPUs minus LIST.
#   --root DIR               read and write /proc and /sys below DIR (a copied tree, a test fixture). Default: /.
#   --dry-run                print "would write VALUE to FILE (was OLD)" and write nothing.
#
# Not persistent: irqbalance (if it runs) moves IRQs back, and a reboot resets everything. Stop irqbalance, or give it
# IRQBALANCE_BANNED_CPULIST=LIST (/etc/default/irqbalance), and run this from a oneshot unit before coreloop.service.
# Managed IRQs (multi-queue NVMe, some NICs) refuse new affinities ("Input/output error"); those are reported and kept:
# isolcpus=managed_irq,LIST on the kernel command line keeps them off LIST.
#
# Exit status: 0 when done (or, with --dry-run, when there was something or nothing to do); 1 when a write failed;
# 2 for bad input.
set -euo pipefail

usage()
{
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die()
{
    printf 'irq-affinity.sh: %s\n' "$*" >&2
    exit 2
}

root="/"
reactor_list=""
housekeeping_list=""
dry_run=0
while [ $# -gt 0 ]; do
    case "$1" in
        --reactor-cpus) [ $# -ge 2 ] || die "--reactor-cpus needs a CPU list"; reactor_list="$2"; shift 2 ;;
        --housekeeping-cpus) [ $# -ge 2 ] || die "--housekeeping-cpus needs a CPU list"; housekeeping_list="$2"; shift 2 ;;
        --root) [ $# -ge 2 ] || die "--root needs a directory"; root="$2"; shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) usage ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
[ -n "$reactor_list" ] || die "--reactor-cpus LIST is required (e.g. --reactor-cpus 2-7)"
[ -d "$root" ] || die "--root: '$root' is not a directory"
root="${root%/}"

# --- CPU lists and masks --------------------------------------------------------------------------------------------
# A set of CPUs is a space-separated, sorted list of ids.

expand()   # "0-3,7" -> "0 1 2 3 7"; dies on anything else
{
    local list="$1" part lo hi out=()
    [[ "$list" =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || return 1
    IFS=',' read -ra parts <<< "$list"
    for part in "${parts[@]}"; do
        lo="${part%-*}"; hi="${part#*-}"
        [ "$((10#$lo))" -le "$((10#$hi))" ] || return 1
        for ((c = 10#$lo; c <= 10#$hi; c++)); do out+=("$c"); done
    done
    printf '%s\n' "${out[@]}" | sort -n -u | tr '\n' ' ' | sed 's/ $//'
}

compact()  # "0 1 2 3 7" -> "0-3,7"
{
    local out="" start="" prev="" c
    for c in $1; do
        if [ -z "$start" ]; then start="$c"; prev="$c"; continue; fi
        if [ "$c" -eq $((prev + 1)) ]; then prev="$c"; continue; fi
        out+="${out:+,}$start$([ "$start" = "$prev" ] || printf -- '-%s' "$prev")"
        start="$c"; prev="$c"
    done
    [ -z "$start" ] || out+="${out:+,}$start$([ "$start" = "$prev" ] || printf -- '-%s' "$prev")"
    printf '%s' "$out"
}

minus()    # set A minus set B
{
    local c out=()
    for c in $1; do
        case " $2 " in *" $c "*) ;; *) out+=("$c") ;; esac
    done
    printf '%s' "${out[*]:-}"
}

intersects()
{
    local c
    for c in $1; do
        case " $2 " in *" $c "*) return 0 ;; esac
    done
    return 1
}

mask_to_cpus()   # "00000000,0000000f" -> "0 1 2 3"
{
    local hex="${1//,/}" out=() i nibble bit
    hex="${hex//[[:space:]]/}"
    for ((i = 0; i < ${#hex}; i++)); do
        nibble=$((16#${hex:${#hex}-1-i:1}))
        for ((bit = 0; bit < 4; bit++)); do
            if (( (nibble >> bit) & 1 )); then out+=("$((i * 4 + bit))"); fi
        done
    done
    printf '%s' "${out[*]:-}"
}

cpus_to_mask()   # "0 1 2 3" in the shape of "00000000,000000ff" -> "00000000,0000000f"
{
    local cpus="$1" shape="${2//[[:space:]]/}" groups i word c out=""
    IFS=',' read -ra groups <<< "$shape"
    for ((i = 0; i < ${#groups[@]}; i++)); do
        local width=${#groups[$((${#groups[@]} - 1 - i))]}
        word=0
        for c in $cpus; do
            if [ "$c" -ge $((i * width * 4)) ] && [ "$c" -lt $(((i + 1) * width * 4)) ]; then
                word=$((word | (1 << (c - i * width * 4))))
            fi
        done
        out="$(printf "%0${width}x" "$word")${out:+,}${out}"
    done
    printf '%s' "$out"
}

reactors="$(expand "$reactor_list")" || die "--reactor-cpus: '$reactor_list' is not a CPU list (e.g. 2-7 or 2,4,6)"
online_file="$root/sys/devices/system/cpu/online"
[ -r "$online_file" ] || die "cannot read $online_file"
online="$(expand "$(tr -d '[:space:]' < "$online_file")")" || die "cannot parse $online_file"
if [ -n "$housekeeping_list" ]; then
    housekeeping="$(expand "$housekeeping_list")" || die "--housekeeping-cpus: '$housekeeping_list' is not a CPU list"
    ! intersects "$housekeeping" "$reactors" || die "--housekeeping-cpus $housekeeping_list overlaps --reactor-cpus $reactor_list"
else
    housekeeping="$(minus "$online" "$reactors")"
fi
[ -n "$housekeeping" ] || die "no housekeeping CPU left: the reactor CPUs $reactor_list cover every online CPU ($(compact "$online"))"

changes=0
failures=0
write()   # FILE NEW OLD
{
    local file="$1" new="$2" old="$3" shown="${1#"$root"}"
    [ "$root" != "" ] || shown="$1"
    changes=$((changes + 1))
    if [ "$dry_run" = 1 ]; then
        printf 'would write %s to %s (was %s)\n' "$new" "/${shown#/}" "$old"
    elif printf '%s\n' "$new" 2>/dev/null > "$file"; then
        printf 'wrote %s to %s (was %s)\n' "$new" "/${shown#/}" "$old"
    else
        printf 'failed to write %s to %s (was %s; a managed IRQ, or not root)\n' "$new" "/${shown#/}" "$old" >&2
        failures=$((failures + 1))
    fi
}

printf 'reactor CPUs %s; housekeeping CPUs %s%s\n' "$(compact "$reactors")" "$(compact "$housekeeping")" \
    "$([ "$dry_run" = 1 ] && printf ' (dry run: nothing is written)')"

# --- IRQs -----------------------------------------------------------------------------------------------------------
if [ -d "$root/proc/irq" ]; then
    default_file="$root/proc/irq/default_smp_affinity"
    if [ -f "$default_file" ]; then
        old="$(tr -d '[:space:]' < "$default_file")"
        if intersects "$(mask_to_cpus "$old")" "$reactors"; then
            write "$default_file" "$(cpus_to_mask "$housekeeping" "$old")" "$old"
        fi
    fi
    for dir in $(find "$root/proc/irq" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | sort -V); do
        file="$dir/smp_affinity_list"
        [ -f "$file" ] || continue
        old="$(tr -d '[:space:]' < "$file")"
        cpus="$(expand "$old")" || continue
        intersects "$cpus" "$reactors" || continue
        left="$(minus "$cpus" "$reactors")"
        write "$file" "$(compact "${left:-$housekeeping}")" "$old"
    done
fi

# --- RPS / XPS ------------------------------------------------------------------------------------------------------
for queue in $(find "$root/sys/class/net" -mindepth 3 -maxdepth 3 -path '*/queues/*' \( -name 'rx-*' -o -name 'tx-*' \) 2>/dev/null | sort -V); do
    case "${queue##*/}" in rx-*) file="$queue/rps_cpus" ;; *) file="$queue/xps_cpus" ;; esac
    [ -f "$file" ] || continue
    old="$(tr -d '[:space:]' < "$file")"
    [ -n "$old" ] || continue
    cpus="$(mask_to_cpus "$old")"
    intersects "$cpus" "$reactors" || continue
    write "$file" "$(cpus_to_mask "$(minus "$cpus" "$reactors")" "$old")" "$old"
done

if [ "$changes" = 0 ]; then
    printf 'nothing to change: no IRQ, default affinity, RPS or XPS mask names a reactor CPU\n'
fi
[ "$failures" = 0 ] || exit 1
