# Calls the calculator with Perl's RPC::XML::Client (CPAN's RPC-XML;
# Debian's librpc-xml-perl).
#
#   perl call.pl [URL]    (default http://127.0.0.1:8080/RPC2)

# ANCHOR: client
use strict;
use warnings;
use RPC::XML::Client;

my $url = shift // 'http://127.0.0.1:8080/RPC2';

my $calc = RPC::XML::Client->new($url);

# send_request answers an RPC::XML value (a fault is one too), or an error
# message when no answer came.
sub call {
    my $answer = $calc->send_request(@_);
    die "$_[0]: $answer\n" unless ref $answer;
    return $answer;
}

print 'calc.add(2, 3) = ', call('calc.add', 2, 3)->value, "\n";
print 'calc.sumAll([1.5, 2.5, 3]) = ', call('calc.sumAll', [1.5, 2.5, 3])->value, "\n";
my $point = call('calc.echo', { x => 3, y => 4 })->value;
print 'calc.echo({x => 3, y => 4}) = {',
    join(', ', map { "$_ => $point->{$_}" } sort keys %$point), "}\n";
my $fault = call('calc.div', 1, 0);
printf "calc.div(1, 0) is a fault: %d, %s\n", $fault->code, $fault->string
    if $fault->is_fault;
# ANCHOR_END: client
