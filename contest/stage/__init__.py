"""Live rounds: the running order (drawn, by category or by hand; late arrivals, absences),
the chair's stage control (now on stage, timer, closing a performance locks its sheets, the
overrun penalty), the stage state every worker shares, and the audience screen."""
