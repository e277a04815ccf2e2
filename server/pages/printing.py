"""What a printed page says about itself: when Homeward produced it, in the centre's time
zone, printed in the header of every page (static/print.css) so a sheet found in the notes
says how old its news is."""
from ..web.context import get_config, now
from . import blueprint
from .site_time import say


@blueprint.context_processor
def _print_stamp():
    return {"print_stamp": lambda: "Page produced " + say(now(), get_config().site_timezone)}
