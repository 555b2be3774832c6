# A tiny GTK window whose button can be dragged as a file (text/uri-list), for real XDND drops.
import sys
import gi
gi.require_version('Gtk', '3.0')
from gi.repository import Gtk, Gdk, GLib

path = sys.argv[1]
win = Gtk.Window(title='berth-drag-source')
win.set_default_size(160, 60)
button = Gtk.Button(label='drag me')
button.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
button.drag_source_add_uri_targets()
button.connect('drag-data-get', lambda w, ctx, data, info, time: data.set_uris([GLib.filename_to_uri(path, None)]))
win.add(button)
win.connect('destroy', Gtk.main_quit)
win.show_all()
Gtk.main()
