#!/bin/sh
# Install Switchboard from this unpacked folder, for you alone or (with --system) for everyone.
#
#     ./install.sh                  you:        ~/.local/opt/switchboard, ~/.local/bin/switchboard,
#                                               an entry in your applications menu
#     sudo ./install.sh --system    everyone:   /opt/switchboard, /usr/local/bin/switchboard,
#                                               an entry in every user's applications menu
#     ./install.sh --uninstall      [--system]  remove the program, the command and the menu entry
#
# Installing again (a newer version) replaces the program. Your data is never touched: the
# database, settings and logs live in your own folders (~/.local/share/switchboard,
# ~/.config/switchboard), not beside the program, and stay there after --uninstall.
# DESTDIR=/some/root puts the --system layout under that root (for packagers; no root needed).
set -eu

NAME=switchboard
MARKER="# Switchboard launcher (installed by install.sh)"
here=$(cd "$(dirname "$0")" && pwd)

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

system=0
action=install
for arg in "$@"; do
    case "$arg" in
        --system) system=1 ;;
        --uninstall) action=uninstall ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

destdir=${DESTDIR:-}
if [ "$system" = 1 ]; then
    if [ -z "$destdir" ] && [ "$(id -u)" != 0 ]; then
        echo "install.sh: --system writes to /opt and /usr/local; run it with sudo." >&2
        exit 1
    fi
    appdir=/opt/$NAME
    bindir=/usr/local/bin
    share=/usr/local/share
else
    : "${HOME:?install.sh: HOME is not set}"
    share=${XDG_DATA_HOME:-$HOME/.local/share}
    appdir=$HOME/.local/opt/$NAME
    bindir=$HOME/.local/bin
fi
applications=$share/applications
icons=$share/icons/hicolor
program=$appdir/$NAME

# The folder we may replace or remove: one that holds the bundled program and its _internal
# folder, never anything else that happens to have the name.
is_bundle() {
    [ -f "$1/$NAME" ] && [ -d "$1/_internal" ]
}

refresh_menus() {
    [ -n "$destdir" ] && return 0
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
        gtk-update-icon-cache -q -t -f "$icons" 2>/dev/null || true
    fi
    touch "$icons" 2>/dev/null || true
}

uninstall() {
    removed=0
    if [ -e "$destdir$appdir" ]; then
        if ! is_bundle "$destdir$appdir"; then
            echo "install.sh: $destdir$appdir does not look like a Switchboard program folder; not removing it." >&2
            exit 1
        fi
        rm -rf "$destdir$appdir"
        removed=1
    fi
    if [ -f "$destdir$bindir/$NAME" ] && grep -qF "$MARKER" "$destdir$bindir/$NAME"; then
        rm -f "$destdir$bindir/$NAME"
        removed=1
    fi
    for file in "$applications/$NAME.desktop" "$icons/256x256/apps/$NAME.png" \
                "$icons/48x48/apps/$NAME.png" "$icons/scalable/apps/$NAME.svg"; do
        if [ -f "$destdir$file" ]; then
            rm -f "$destdir$file"
            removed=1
        fi
    done
    refresh_menus
    if [ "$removed" = 1 ]; then
        echo "Switchboard was removed from $appdir."
    else
        echo "Switchboard was not installed in $appdir; nothing to remove."
    fi
    echo "Your data (database, settings, logs) was kept: ~/.local/share/$NAME and ~/.config/$NAME of each user."
}

# A path as the program of a desktop entry's Exec key: in double quotes when it has a space or a
# reserved character, with " ` $ \ escaped (twice: for the quoting, then for the string); a % is
# doubled.
desktop_quote() {
    escaped=$(printf '%s' "$1" | sed 's/%/%%/g')
    case "$1" in
        *[[:space:]\"\`\$\\\'\<\>\~\|\&\;\*\?\#\(\)]*)
            # shellcheck disable=SC2016  # sed expressions, not shell ones
            printf '"%s"' "$(printf '%s' "$escaped" | sed 's/\\/\\\\\\\\/g; s/"/\\\\"/g; s/`/\\\\`/g; s/\$/\\\\$/g')" ;;
        *) printf '%s' "$escaped" ;;
    esac
}

install() {
    if ! is_bundle "$here/$NAME"; then
        echo "install.sh: $here/$NAME is not a Switchboard program folder; run install.sh from the unpacked archive." >&2
        exit 1
    fi
    target=$destdir$appdir
    if [ -e "$target" ] && ! is_bundle "$target"; then
        echo "install.sh: $target exists and is not a Switchboard program folder; not replacing it." >&2
        exit 1
    fi

    # The program: copied beside the old one first, then swapped in.
    mkdir -p "$(dirname "$target")"
    staging="$target.new.$$"
    rm -rf "$staging"
    cp -R "$here/$NAME" "$staging"
    chmod -R u+rwX,go+rX "$staging"
    if [ -e "$target" ]; then
        rm -rf "$target"
    fi
    mv "$staging" "$target"

    # The command.
    mkdir -p "$destdir$bindir"
    quoted=$(printf '%s' "$program" | sed "s/'/'\\\\''/g")
    {
        echo "#!/bin/sh"
        echo "$MARKER"
        echo "exec '$quoted' \"\$@\""
    } > "$destdir$bindir/$NAME"
    chmod 755 "$destdir$bindir/$NAME"

    # The icon, in the sizes the menus ask for.
    mkdir -p "$destdir$icons/256x256/apps" "$destdir$icons/48x48/apps" "$destdir$icons/scalable/apps"
    cp "$here/icons/$NAME-256.png" "$destdir$icons/256x256/apps/$NAME.png"
    cp "$here/icons/$NAME-48.png" "$destdir$icons/48x48/apps/$NAME.png"
    cp "$here/icons/$NAME.svg" "$destdir$icons/scalable/apps/$NAME.svg"
    chmod 644 "$destdir$icons/256x256/apps/$NAME.png" "$destdir$icons/48x48/apps/$NAME.png" \
        "$destdir$icons/scalable/apps/$NAME.svg"

    # The menu entry, pointing at the installed program (not at PATH, which a desktop session
    # may not have ~/.local/bin on).
    mkdir -p "$destdir$applications"
    exec_value=$(desktop_quote "$program")
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            Exec=*) printf 'Exec=%s\n' "$exec_value" ;;
            TryExec=*) printf 'TryExec=%s\n' "$program" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done < "$here/$NAME.desktop" > "$destdir$applications/$NAME.desktop"
    chmod 644 "$destdir$applications/$NAME.desktop"
    refresh_menus

    version=$(cat "$here/VERSION" 2>/dev/null || echo "")
    echo "Switchboard $version is installed in $appdir."
    echo "Start it from your applications menu (Switchboard), or type: $NAME"
    case ":${PATH:-}:" in
        *":$bindir:"*) ;;
        *) echo "Note: $bindir is not on your PATH yet; log out and in again, or run $program." ;;
    esac
}

if [ "$action" = uninstall ]; then
    uninstall
else
    install
fi
