# Install stamps, sourced by scripts/bootstrap and scripts/install-bigquery-emulator: a part
# of the set-up is installed again only when something it is installed from changed. Its
# stamp file holds the digest of those inputs as they were at its last successful install.

# stamp_digest FILE... [-- WORD...]: one digest of the files' names and contents and of the
# words (versions, interpreter paths, option lists).
stamp_digest() {
    local arg words=0
    for arg in "$@"; do
        if [[ "$arg" == -- ]]; then words=1; continue; fi
        if ((words)); then
            printf 'word %s\n' "$arg"
        else
            printf 'file %s\n' "$arg"
            cat -- "$arg"
        fi
    done | sha256sum | cut -d' ' -f1
}

# stamp_current STAMP DIGEST: is the part installed from exactly these inputs?
stamp_current() {
    [[ -f "$1" && "$(<"$1")" == "$2" ]]
}

# stamp_write STAMP DIGEST: the part is now installed from these inputs.
stamp_write() {
    printf '%s\n' "$2" >"$1"
}
