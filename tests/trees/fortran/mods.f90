module Shapes
end module
