# Calls the calculator with Ruby's xmlrpc library (the xmlrpc gem; Debian's
# ruby-xmlrpc).
#
#   ruby call.rb [URL]    (default http://127.0.0.1:8080/RPC2)

# ANCHOR: client
require "xmlrpc/client"

url = ARGV[0] || "http://127.0.0.1:8080/RPC2"

calc = XMLRPC::Client.new2(url)
puts "calc.add(2, 3) = #{calc.call("calc.add", 2, 3)}"
puts "calc.sumAll([1.5, 2.5, 3]) = #{calc.call("calc.sumAll", [1.5, 2.5, 3])}"
puts "calc.echo({x: 3, y: 4}) = #{calc.call("calc.echo", { "x" => 3, "y" => 4 }).inspect}"
begin
  calc.call("calc.div", 1, 0)
rescue XMLRPC::FaultException => fault
  puts "calc.div(1, 0) raised fault #{fault.faultCode}: #{fault.faultString}"
end
# ANCHOR_END: client
