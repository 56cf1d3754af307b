//! Listeners: bind lines to sockets.
