from frontdoor.core.models import Branding


def branding(request):
    """Make the deployment's branding available to every template."""
    return {"branding": Branding.current()}
